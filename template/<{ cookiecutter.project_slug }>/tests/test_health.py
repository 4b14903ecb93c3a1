"""Health endpoints: what Kubernetes' probes and Prometheus see."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from <{ cookiecutter.package_name }>.app import create_app
from <{ cookiecutter.package_name }>.health import Lifecycle
from <{ cookiecutter.package_name }>.settings import Settings


def test_a_started_service_is_live_started_and_ready(client: TestClient) -> None:
    for path in ("/livez", "/startupz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["status"] == "ok"


def test_metrics_are_served_for_prometheus(client: TestClient) -> None:
    client.get("/livez")
    client.get("/no-such-page")
    body = client.get("/metrics").text
    assert "http_server_requests_total" in body
    assert 'route="/livez"' not in body, "probes must not be counted"


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    assert client.get("/no-such-page").headers["x-request-id"]
    echoed = client.get("/no-such-page", headers={"X-Request-ID": "req-abc-123"})
    assert echoed.headers["x-request-id"] == "req-abc-123"
<%- if cookiecutter.database == 'postgresql' %>


def test_not_ready_until_the_schema_is_at_head(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(migrate_on_start=False))
    with TestClient(app) as client:
        assert client.get("/livez").status_code == 200
        assert client.get("/startupz").status_code == 200
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "run the migrations" in response.json()["reason"]
<%- endif %>


def test_readiness_fails_first_when_draining(make_settings: Callable[..., Settings]) -> None:
    lifecycle = Lifecycle()
    with TestClient(create_app(make_settings(), lifecycle)) as client:
        assert client.get("/readyz").status_code == 200
        lifecycle.draining = True
        assert client.get("/readyz").status_code == 503
        assert client.get("/livez").status_code == 200
