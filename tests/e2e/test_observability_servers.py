"""End to end with real servers: the default service on SQLite, a real Prometheus scraping it
with the chart's rendered scrape job and evaluating the shipped rules, and the pinned
OpenTelemetry Collector receiving the service's spans.

The scrape job and rule files are the rendered ones; only what makes the test take seconds
instead of minutes changes: the target is 127.0.0.1 (no Kubernetes discovery), and the scrape
and evaluation intervals are 1 s.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import harness

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.toolchain, pytest.mark.slow]

CHART = "charts/team-notes"
RULE_FILES = ("recording-rules.yaml", "slo-rules.yaml")
DEADLINE_SECONDS = 60
KUBERNETES_VERSION = "1.35.4"  # the generated Makefile's default


def wait_for(what: str, probe: Callable[[], Any], deadline: float = DEADLINE_SECONDS) -> Any:
    """Poll `probe` until it returns something truthy; fail naming `what` after `deadline`."""
    end = time.monotonic() + deadline
    last: Any = None
    while time.monotonic() < end:
        try:
            last = probe()
        except OSError as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(0.5)
    raise AssertionError(f"timed out after {deadline}s waiting for {what}; last: {last!r}")


def http(method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def project(
    rendered: Callable[..., Path],
    toolchain: Path,
    wheelhouse: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    copy = harness.copy_project(rendered("default"), tmp_path_factory.mktemp("e2e-obs") / "svc")
    harness.install_project_venv(copy, wheelhouse)
    return copy


def start_service(
    project: Path, port: int, extra_env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **harness.toolchain_env(),
        "APP_PORT": str(port),
        "APP_SQLITE_PATH": str(project / "var" / f"e2e-{port}.sqlite3"),
        "APP_LOG_FORMAT": "json",
        **extra_env,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(project / ".venv" / "bin" / "python"), "-m", "team_notes", "serve"],
            cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(
            f"the service on :{port} (log {log})",
            lambda: http("GET", f"http://127.0.0.1:{port}/livez")[0] == 200,
        )
    except AssertionError:
        stop(process)
        raise
    return process


def send_traffic(port: int, requests: int = 20) -> None:
    """Slack is not configured in a local run, so /slack/* answers 503 (the 5xx), and an unknown
    path answers 404 (route "unmatched")."""
    for _ in range(requests):
        assert http("POST", f"http://127.0.0.1:{port}/slack/events", b"{}")[0] == 503
        assert http("GET", f"http://127.0.0.1:{port}/no-such-page")[0] == 404


def rendered_scrape_job(project: Path, target: str) -> dict[str, Any]:
    """The chart's plain scrape job (monitoring.serviceMonitor.enabled=false), aimed at `target`."""
    out = subprocess.run(
        ["helm", "template", "team-notes", CHART, "--namespace", "team-notes",
         "--kube-version", KUBERNETES_VERSION,
         "--set", "monitoring.serviceMonitor.enabled=false",
         "--show-only", "templates/scrape-config.yaml"],
        cwd=project, env=harness.toolchain_env(), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    configmap = yaml.safe_load(out)
    (job,) = yaml.safe_load(configmap["data"]["scrape-config.yaml"])["scrape_configs"]
    assert job["job_name"] == "team-notes" and job["metrics_path"] == "/metrics"
    assert job["metric_relabel_configs"] == [
        {"action": "drop", "source_labels": ["__name__"], "regex": "python_gc_.*"}
    ]
    del job["kubernetes_sd_configs"], job["relabel_configs"]
    return {**job, "scrape_interval": "1s", "scrape_timeout": "1s",
            "static_configs": [{"targets": [target]}]}  # fmt: skip


def prometheus_query(port: int, expr: str) -> list[dict[str, Any]]:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    status, body = http("GET", url)
    assert status == 200, body
    result: list[dict[str, Any]] = json.loads(body)["data"]["result"]
    return result


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[Callable[[dict[str, Any], list[Path]], int]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(job: dict[str, Any], rule_files: list[Path]) -> int:
        port = harness.free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(p) for p in rule_files],
            "scrape_configs": [job],
        }), encoding="utf-8")  # fmt: skip
        log = (tmp_path / "prometheus.log").open("wb")
        process = subprocess.Popen(
            [shutil.which("prometheus") or "prometheus", f"--config.file={config}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append(process)
        wait_for(
            "Prometheus to be ready",
            lambda: http("GET", f"http://127.0.0.1:{port}/-/ready")[0] == 200,
        )
        return port

    yield start
    for process in started:
        stop(process)


def test_real_scrape_every_recording_rule_has_series(
    project: Path, prometheus: Callable[[dict[str, Any], list[Path]], int], tmp_path: Path
) -> None:
    service_port = harness.free_port()
    service = start_service(project, service_port, {}, tmp_path / "service.log")
    try:
        rules: list[Path] = []
        records: dict[str, set[str]] = {}
        for name in RULE_FILES:
            doc = yaml.safe_load((project / CHART / "files" / "prometheus" / name).read_text())
            for group in doc["groups"]:
                group["interval"] = "1s"
                for rule in group["rules"]:
                    if "record" in rule:
                        records.setdefault(rule["record"], set())
            path = tmp_path / name
            path.write_text(yaml.safe_dump(doc), encoding="utf-8")
            rules.append(path)
        port = prometheus(rendered_scrape_job(project, f"127.0.0.1:{service_port}"), rules)
        send_traffic(service_port)
        wait_for("the scrape", lambda: prometheus_query(port, 'up{job="team-notes"} == 1'))
        time.sleep(2)
        send_traffic(service_port)

        def all_recorded() -> dict[str, list[dict[str, Any]]] | None:
            found = {record: prometheus_query(port, record) for record in records}
            return found if all(found.values()) else None

        try:
            found = wait_for("every recording rule to return series", all_recorded)
        except AssertionError:
            empty = [r for r in records if not prometheus_query(port, r)]
            raise AssertionError(f"recording rules without series: {empty}") from None
    finally:
        stop(service)

    def labels(record: str) -> list[dict[str, str]]:
        return [series["metric"] for series in found[record]]

    assert {s["route"] for s in labels("route:http_server_requests:rate5m")} >= {
        "/slack/events",
        "unmatched",
    }
    (events,) = [
        s
        for s in labels("route:http_server_request_errors:ratio_rate5m")
        if s["route"] == "/slack/events"
    ]
    assert events["job"] == "team-notes"
    ratio = {
        s["metric"]["route"]: float(s["value"][1])
        for s in found["route:http_server_request_errors:ratio_rate5m"]
    }
    assert ratio["/slack/events"] == 1.0 and ratio["unmatched"] == 0.0
    for quantile in ("p50", "p90", "p99"):
        assert {"job", "route"} <= set(
            labels(f"route:http_server_request_duration_seconds:{quantile}_rate5m")[0]
        )
    slos = {s["sloth_slo"] for s in labels("slo:sli_error:ratio_rate5m")}
    assert slos == {"availability", "latency", "slack-ack"}
    for series in labels("slo:sli_error:ratio_rate5m"):
        assert series["team"] == "platform" and series["service"] == "team-notes"
        assert series["sloth_service"] == "team-notes" and series["sloth_window"] == "5m"
    availability = prometheus_query(port, 'slo:sli_error:ratio_rate5m{sloth_slo="availability"}')
    assert 0.4 < float(availability[0]["value"][1]) <= 0.6  # half the requests were 5xx


def test_real_pipeline_spans_reach_the_collector(project: Path, tmp_path: Path) -> None:
    collector = shutil.which("otelcol-pavedroad", path=harness.toolchain_env()["PATH"])
    assert collector, "otelcol-pavedroad is not installed; run make bootstrap"
    grpc_port, http_port = harness.free_port(), harness.free_port()
    # The shipped configuration, with its exporter swapped for the debug exporter and a short
    # tail-sampling wait; the service's 503s are error spans, which the policies keep.
    override = tmp_path / "test-overrides.yaml"
    override.write_text(yaml.safe_dump({
        "receivers": {"otlp": {"protocols": {
            "grpc": {"endpoint": f"127.0.0.1:{grpc_port}"},
            "http": {"endpoint": f"127.0.0.1:{http_port}"}}}},
        "exporters": {"debug": {"verbosity": "detailed"}},
        "service": {"pipelines": {"traces": {"exporters": ["debug"]}},
                    "telemetry": {"metrics": {"level": "none"}}},
    }), encoding="utf-8")  # fmt: skip
    log_path = tmp_path / "collector.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [collector, "--config", str(project / "observability" / "collector" / "config.yaml"),
             "--config", str(override)],
            env={**os.environ, "OTELCOL_DECISION_WAIT": "1s"}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(
            "the collector's OTLP/HTTP receiver",
            lambda: socket.create_connection(("127.0.0.1", http_port), 1),
        )
        service_port = harness.free_port()
        service = start_service(project, service_port, {
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{http_port}",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_TRACES_SAMPLER": "always_on",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        }, tmp_path / "service.log")  # fmt: skip
        try:
            send_traffic(service_port, requests=3)

            # The service's own startup spans (its database queries) can reach the collector in an
            # earlier batch than the request spans, so wait for the request span itself.
            def exported() -> str | None:
                text = log_path.read_text(errors="replace")
                wanted = ("service.name: Str(team-notes)", "/slack/events")
                return text if all(part in text for part in wanted) else None

            text = wait_for("the service's spans in the collector's debug output", exported)
        finally:
            stop(service)
    finally:
        stop(process)
    assert "deployment.environment.name: Str(" in text
    assert "service.version: Str(" in text
