"""Observability: a span per request with a child span per handler, RED metrics, and log lines
of bounded size."""

from __future__ import annotations

import json
<%- if cookiecutter.slack_app %>
import time
<%- endif %>
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pavedroad import observability

from <{ cookiecutter.package_name }>.settings import Settings
from <{ cookiecutter.package_name }>.telemetry import (
    configure_telemetry,
    get_logger,
    library_environment,
)
<%- if cookiecutter.slack_app %>
from tests.conftest import SlackRequests, mention_event
from tests.slack_standin import SlackStandIn
<%- endif %>


@pytest.fixture
def spans(client: TestClient) -> Iterator[InMemorySpanExporter]:
    state = observability.current()
    assert state is not None, "create_app() must configure observability"
    assert state.tracer_provider is not None, "tracing must be on by default"
    exporter = InMemorySpanExporter()
    # The provider is global and keeps its processors; a stopped exporter just drops spans.
    state.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


<% if cookiecutter.slack_app -%>
def test_a_slack_command_gets_a_request_span_and_a_handler_span(
    spans: InMemorySpanExporter, slack_requests: SlackRequests
) -> None:
    assert slack_requests.command("add traced").status_code == 200
    finished = {span.name: span for span in spans.get_finished_spans()}
    handler = finished["slack.command /notes"]
    request = next(s for s in finished.values() if s.name.startswith("POST /slack/commands"))
<%- else -%>
def test_an_api_call_gets_a_request_span_and_a_handler_span(
    spans: InMemorySpanExporter, client: TestClient
) -> None:
    path = "/api/v1/workspaces/T0TEST001/channels/C0CHAN001/notes"
    assert client.post(path, json={"author_id": "U0USER001", "text": "traced"}).status_code == 201
    finished = {span.name: span for span in spans.get_finished_spans()}
    handler = finished["notes.add"]
    request = next(s for s in finished.values() if s.name.startswith("POST /api/v1"))
<%- endif %>
    assert handler.context.trace_id == request.context.trace_id
    assert handler.parent is not None


def _ancestors(span: ReadableSpan, finished: list[ReadableSpan]) -> list[ReadableSpan]:
    by_id = {s.context.span_id: s for s in finished}
    chain = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        chain.append(span)
    return chain


def test_database_statements_get_client_spans_inside_the_request_span(
<%- if cookiecutter.slack_app %>
    spans: InMemorySpanExporter, slack_requests: SlackRequests
) -> None:
    assert slack_requests.command("add secret-text-not-in-spans").status_code == 200
    request_name = "POST /slack/commands"
<%- else %>
    spans: InMemorySpanExporter, client: TestClient
) -> None:
    path = "/api/v1/workspaces/T0TEST001/channels/C0CHAN001/notes"
    body = {"author_id": "U0USER001", "text": "secret-text-not-in-spans"}
    assert client.post(path, json=body).status_code == 201
    request_name = "POST /api/v1"
<%- endif %>
    finished = list(spans.get_finished_spans())
    inserts = [s for s in finished if s.name == "INSERT notes"]
    assert len(inserts) == 1, [s.name for s in finished]
    (insert,) = inserts
    assert insert.kind is SpanKind.CLIENT
    attributes = dict(insert.attributes or {})
    assert attributes["db.operation.name"] == "INSERT"
    assert attributes["db.collection.name"] == "notes"
    assert attributes["db.system.name"] in {"sqlite", "postgresql"}
    assert any(s.name.startswith(request_name) for s in _ancestors(insert, finished))
    recorded = json.dumps([dict(s.attributes or {}) for s in finished])
    assert "secret-text-not-in-spans" not in recorded
<%- if cookiecutter.slack_app %>


def test_slack_web_api_calls_get_client_spans_named_by_method(
    spans: InMemorySpanExporter, slack_requests: SlackRequests, slack: SlackStandIn
) -> None:
    assert slack_requests.event(mention_event()).status_code == 200
    slack.wait_for("chat.postMessage")
    deadline = time.monotonic() + 5
    while not (posts := [s for s in spans.get_finished_spans() if s.name == "chat.postMessage"]):
        assert time.monotonic() < deadline, "no chat.postMessage span"
        time.sleep(0.02)
    (post,) = posts
    assert post.kind is SpanKind.CLIENT
    attributes = dict(post.attributes or {})
    assert attributes["http.request.method"] == "POST"
    assert attributes["http.response.status_code"] == 200
    assert str(attributes["url.full"]).endswith("/api/chat.postMessage")
    assert post.context.trace_id in {
        s.context.trace_id for s in spans.get_finished_spans() if s.name.startswith("POST /slack")
    }
    recorded = json.dumps([dict(s.attributes or {}) for s in spans.get_finished_spans()])
    assert "xoxb-" not in recorded
<%- endif %>


def test_requests_are_counted_by_route(client: TestClient) -> None:
<%- if cookiecutter.slack_app %>
    client.post("/slack/commands", content=b"")  # unsigned: 401
    method, route, status_class = "POST", "/slack/commands", "4xx"
<%- else %>
    client.get("/api/v1/workspaces/T0TEST001/channels/C0CHAN001/notes")
    method, status_class = "GET", "2xx"
    route = "/api/v1/workspaces/{team_id}/channels/{channel_id}/notes"
<%- endif %>
    labels = (f'method="{method}"', f'route="{route}"', f'status_class="{status_class}"')
    counted = [
        line
        for line in client.get("/metrics").text.splitlines()
        if line.startswith("http_server_requests_total{") and all(label in line for label in labels)
    ]
    assert len(counted) == 1, counted
    assert float(counted[0].rsplit(" ", 1)[1]) >= 1


@pytest.mark.parametrize(
    ("caps", "field_cap", "line_cap"),
    [
        ({}, 16 * 1024, 64 * 1024),  # the library's defaults, which the chart's values repeat
        (
            {"PAVEDROAD_LOG_MAX_FIELD_BYTES": "4096", "PAVEDROAD_LOG_MAX_LINE_BYTES": "8192"},
            4096,
            8192,
        ),
    ],
)
def test_a_huge_log_field_gives_a_capped_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    make_settings: Callable[..., Settings],
    caps: dict[str, str],
    field_cap: int,
    line_cap: int,
) -> None:
    """The chart sets these variables from app.logMaxFieldBytes and app.logMaxLineBytes."""
    monkeypatch.setenv("PAVEDROAD_LOG_FORMAT", "json")
    for name, value in caps.items():
        monkeypatch.setenv(name, value)
    configure_telemetry(make_settings())
    capsys.readouterr()
    blob = "x" * 10_000_000
    get_logger("<{ cookiecutter.package_name }>.tests").warning("huge value", blob=blob, small="kept")
    lines = [line for line in capsys.readouterr().out.splitlines() if "huge value" in line]
    assert len(lines) == 1
    assert len(lines[0].encode()) <= line_cap
    record = json.loads(lines[0])
    assert record["small"] == "kept"
    assert len(json.dumps(record["blob"]).encode()) <= field_cap
    assert record["truncated"]["blob"] >= len(blob)


def test_pavedroad_environment_is_not_shadowed_by_app_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """One prefix per owner: APP_ENV only stands in while PAVEDROAD_ENVIRONMENT is unset."""
    settings = Settings(env="local")
    monkeypatch.delenv("PAVEDROAD_ENVIRONMENT", raising=False)
    assert library_environment(settings) == "local"
    monkeypatch.setenv("PAVEDROAD_ENVIRONMENT", "staging")
    assert library_environment(settings) is None
    resolved = observability.resolve_settings(environment=library_environment(settings))
    assert resolved.environment == "staging"
