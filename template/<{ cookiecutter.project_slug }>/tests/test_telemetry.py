"""Observability: a span per request with a child span per handler, and RED metrics."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pavedroad import observability
<%- if cookiecutter.slack_app %>

from tests.conftest import SlackRequests
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
