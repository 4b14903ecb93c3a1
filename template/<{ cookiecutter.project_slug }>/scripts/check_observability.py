"""Checks of the observability files that promtool, pint and amtool cannot make on their own.

Usage: python scripts/check_observability.py CHECK   (run by `make ci`; see mk/observability.mk)

  spec      observability/slos.yaml is a well-formed sloth prometheus/v1 spec: every field sloth
            needs, objectives inside (0, 100), queries with the {{.window}} placeholder.
  buckets   every `le` threshold an SLO query selects is a bucket boundary of the service's
            request-duration histogram (telemetry.DURATION_BUCKETS); otherwise the SLI is wrong.
  alerts    every alert carries the labels severity, team, service, slo and the annotations
            summary, description, runbook_url, dashboard_url; each runbook exists in docs/runbooks/
            with its sections.
  promql    every expression of the rules and the dashboard parses (promtool) and reads only
            metrics that the service exports or a recording rule defines.
  routes    `amtool config routes test`: each alert reaches the receiver its severity asks for.

Each failure names the file, the field and the fix; the exit status is 1 when any check fails.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SLO_SPEC = ROOT / "observability" / "slos.yaml"
CHART_FILES = ROOT / "charts" / "<{ cookiecutter.project_slug }>" / "files"
RULE_FILES = sorted((CHART_FILES / "prometheus").glob("*.yaml"))
DASHBOARD = CHART_FILES / "grafana" / "dashboard.json"
ALERTMANAGER = ROOT / "observability" / "alertmanager" / "alertmanager.yaml"
RUNBOOKS = ROOT / "docs" / "runbooks"
RUNBOOK_URL_PREFIX = "https://github.com/<{ cookiecutter.github_org }>/<{ cookiecutter.project_slug }>/blob/main/docs/runbooks/"
RUNBOOK_SECTIONS = ("## What it means", "## First checks", "## Mitigation", "## Escalation")
TEAM = "<{ cookiecutter.owner_team }>"
SERVICE = "<{ cookiecutter.project_slug }>"
ALERT_LABELS = ("severity", "team", "service", "slo")
ALERT_ANNOTATIONS = ("summary", "description", "runbook_url", "dashboard_url")
SEVERITY_RECEIVERS = {"page": f"{TEAM}-page", "ticket": f"{TEAM}-ticket"}

#: Metrics the service exports (pavedroad-observability's RED metrics and prometheus-client's
#: process and platform collectors), by the names a query can use.
SERVICE_METRICS = frozenset(
    {
        "http_server_requests_total",
        "http_server_requests_created",
        "http_server_request_duration_seconds_bucket",
        "http_server_request_duration_seconds_count",
        "http_server_request_duration_seconds_sum",
        "http_server_request_duration_seconds_created",
        "http_server_requests_in_flight",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_open_fds",
        "python_info",
    }
)
#: Series Prometheus itself writes for every target.
PROMETHEUS_METRICS = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})
PROMQL_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
     "unless", "offset", "inf", "nan", "atan2"}
)  # fmt: skip


def load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SystemExit(f"{rel(path)}: cannot read it as YAML: {exc}") from exc


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def alerts() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in RULE_FILES:
        for group in load_yaml(path).get("groups") or []:
            for rule in group.get("rules") or []:
                if "alert" in rule:
                    yield path, rule


# ------------------------------------------------------------------------------------------
def check_spec() -> list[str]:
    errors: list[str] = []
    where = rel(SLO_SPEC)
    spec = load_yaml(SLO_SPEC)
    if not isinstance(spec, dict):
        return [f"{where}: expected a mapping with version, service and slos"]
    if spec.get("version") != "prometheus/v1":
        errors.append(f'{where}: version: {spec.get("version")!r}; set version: "prometheus/v1"')
    if not spec.get("service"):
        errors.append(f"{where}: service: missing; set it to the service name, e.g. {SERVICE}")
    slos = spec.get("slos")
    if not isinstance(slos, list) or not slos:
        return [*errors, f"{where}: slos: missing or empty; list at least one SLO"]
    for i, slo in enumerate(slos):
        at = f"{where}: slos[{i}]"
        if not isinstance(slo, dict):
            errors.append(f"{at}: expected a mapping with name, objective, sli and alerting")
            continue
        name = slo.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
            errors.append(f"{at}.name: {name!r}; use lowercase letters, digits and '-'")
        objective = slo.get("objective")
        if isinstance(objective, bool) or not isinstance(objective, int | float):
            errors.append(f"{at}.objective: {objective!r} is not a number; give a percentage")
        elif not 0 < objective < 100 or math.isnan(objective):
            errors.append(
                f"{at}.objective: {objective} is outside (0, 100); give a percentage such as 99.9"
            )
        events = (slo.get("sli") or {}).get("events") if isinstance(slo.get("sli"), dict) else None
        if not isinstance(events, dict):
            errors.append(f"{at}.sli.events: missing; give error_query and total_query")
        else:
            for key in ("error_query", "total_query"):
                query = events.get(key)
                if not isinstance(query, str) or "{{.window}}" not in query:
                    errors.append(
                        f"{at}.sli.events.{key}: missing or without the {{{{.window}}}} range "
                        "placeholder; write e.g. rate(metric[{{.window}}])"
                    )
        alerting = slo.get("alerting")
        if not isinstance(alerting, dict) or not alerting.get("name"):
            errors.append(f"{at}.alerting.name: missing; name the alert, e.g. ServiceBudgetBurn")
            continue
        for kind, severity in (("page_alert", "page"), ("ticket_alert", "ticket")):
            labels = (alerting.get(kind) or {}).get("labels") or {}
            if labels.get("severity") != severity:
                errors.append(
                    f'{at}.alerting.{kind}.labels.severity: set it to "{severity}" '
                    "(Alertmanager routes on it)"
                )
    return errors


# ------------------------------------------------------------------------------------------
def duration_buckets() -> tuple[float, ...]:
    sys.path.insert(0, str(ROOT / "src"))
    from <{ cookiecutter.package_name }>.telemetry import DURATION_BUCKETS

    return tuple(float(bound) for bound in DURATION_BUCKETS)


def check_buckets() -> list[str]:
    errors: list[str] = []
    buckets = duration_buckets()
    text = SLO_SPEC.read_text(encoding="utf-8")
    thresholds = re.findall(r'le\s*=\s*"([^"]+)"', text)
    if not thresholds:
        errors.append(f'{rel(SLO_SPEC)}: no le="..." threshold found in any SLO query')
    for value in thresholds:
        try:
            threshold = float(value)
        except ValueError:
            errors.append(f'{rel(SLO_SPEC)}: le="{value}" is not a number of seconds')
            continue
        if threshold not in buckets:
            errors.append(
                f'{rel(SLO_SPEC)}: le="{value}" is not a bucket boundary of '
                "http_server_request_duration_seconds (telemetry.DURATION_BUCKETS: "
                f"{', '.join(f'{b:g}' for b in buckets)}); add {threshold:g} to DURATION_BUCKETS "
                "in src/<{ cookiecutter.package_name }>/telemetry.py or use one of the boundaries"
            )
    return errors


# ------------------------------------------------------------------------------------------
def check_alerts() -> list[str]:
    errors: list[str] = []
    found = 0
    for path, rule in alerts():
        found += 1
        name = rule["alert"]
        labels = rule.get("labels") or {}
        annotations = rule.get("annotations") or {}
        at = f"{rel(path)}: alert {name} ({labels.get('severity', 'no severity')})"
        errors += [f"{at}: missing label {key}" for key in ALERT_LABELS if not labels.get(key)]
        errors += [
            f"{at}: missing annotation {key}"
            for key in ALERT_ANNOTATIONS
            if not annotations.get(key)
        ]
        if labels.get("team") and labels["team"] != TEAM:
            errors.append(f"{at}: label team={labels['team']!r}; the owner team is {TEAM!r}")
        if labels.get("severity") and labels["severity"] not in SEVERITY_RECEIVERS:
            errors.append(f"{at}: severity={labels['severity']!r}; use page or ticket")
        url = annotations.get("runbook_url")
        if url:
            if not url.startswith(RUNBOOK_URL_PREFIX):
                errors.append(f"{at}: runbook_url {url} does not point into docs/runbooks/")
                continue
            runbook = RUNBOOKS / url.removeprefix(RUNBOOK_URL_PREFIX)
            if not runbook.is_file():
                errors.append(f"{at}: runbook_url points to {rel(runbook)}, which does not exist")
                continue
            text = runbook.read_text(encoding="utf-8")
            missing = [section for section in RUNBOOK_SECTIONS if section not in text]
            if missing:
                errors.append(f"{rel(runbook)}: missing sections {', '.join(missing)}")
    if not found:
        errors.append(f"no alerts in {', '.join(rel(p) for p in RULE_FILES)}; run make slo-rules")
    return errors


# ------------------------------------------------------------------------------------------
def dashboard_exprs() -> list[tuple[str, str]]:
    board = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for panel in panels:
            for target in panel.get("targets") or []:
                if target.get("expr"):
                    found.append(
                        (f"{rel(DASHBOARD)}: panel {panel.get('title')!r}", target["expr"])
                    )
            walk(panel.get("panels") or [])

    walk(board.get("panels") or [])
    return found


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads: identifiers that are not functions, keywords,
    label names or durations."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges and subqueries
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\$\{?\w+\}?", "", text)  # Grafana variables
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in PROMQL_KEYWORDS:
            continue
        names.add(name)
    return names


def promtool_parses(tmp: Path, exprs: list[str]) -> str | bool:
    """True when promtool accepts every expression; otherwise its last error line (or False)."""
    probe = tmp / "exprs.yaml"
    rules = [{"record": f"parse:check_{i}", "expr": expr} for i, expr in enumerate(exprs)]
    probe.write_text(yaml.safe_dump({"groups": [{"name": "parse", "rules": rules}]}), "utf-8")
    result = subprocess.run(
        ["promtool", "check", "rules", str(probe)], capture_output=True, text=True, check=False
    )
    if result.returncode == 0:
        return True
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[-1] if len(exprs) == 1 and lines else False


def check_promql() -> list[str]:
    errors: list[str] = []
    recorded: set[str] = set()
    exprs: list[tuple[str, str]] = []
    for path in RULE_FILES:
        for group in load_yaml(path).get("groups") or []:
            for rule in group.get("rules") or []:
                if "record" in rule:
                    recorded.add(rule["record"])
                name = rule.get("record") or rule.get("alert")
                exprs.append((f"{rel(path)}: {name}", str(rule["expr"])))
    exprs += dashboard_exprs()
    # promtool parses the expressions as recording rules of a throwaway rules file: all at once,
    # and one by one only to name the ones that fail.
    with tempfile.TemporaryDirectory() as tmp:
        if not promtool_parses(Path(tmp), [expr for _, expr in exprs]):
            for where, expr in exprs:
                failure = promtool_parses(Path(tmp), [expr])
                if failure is not True:
                    errors.append(f"{where}: PromQL does not parse: {failure}")
    known = SERVICE_METRICS | PROMETHEUS_METRICS | recorded
    for where, expr in exprs:
        unknown = sorted(metric_names(expr) - known)
        if unknown:
            errors.append(
                f"{where}: reads {', '.join(unknown)}, which neither the service exports nor a "
                "recording rule defines; fix the name or add the recording rule"
            )
    return errors


# ------------------------------------------------------------------------------------------
def check_routes() -> list[str]:
    errors: list[str] = []
    tested = 0
    for _path, rule in alerts():
        labels = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
        receiver = SEVERITY_RECEIVERS.get(labels.get("severity", ""))
        if receiver is None:
            continue  # reported by the alerts check
        # sloth's own labels (sloth_id, sloth_slo, ...) do not take part in routing.
        pairs = [f"alertname={rule['alert']}"] + [
            f"{key}={value}" for key, value in sorted(labels.items()) if "{{" not in value
        ]
        result = subprocess.run(
            ["amtool", "config", "routes", "test", f"--config.file={ALERTMANAGER}",
             f"--verify.receivers={receiver}", *pairs],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        tested += 1
        if result.returncode != 0:
            got = result.stdout.strip() or result.stderr.strip()
            errors.append(
                f"{rel(ALERTMANAGER)}: alert {rule['alert']} (severity={labels['severity']}) "
                f"must reach {receiver}, but amtool routes it to: {got}; restore its route"
            )
        else:
            print(f"route ok: {rule['alert']} severity={labels['severity']} -> {receiver}")
    if not tested:
        errors.append("no alerts to route; run make slo-rules")
    return errors


CHECKS: dict[str, Callable[[], list[str]]] = {
    "spec": check_spec,
    "buckets": check_buckets,
    "alerts": check_alerts,
    "promql": check_promql,
    "routes": check_routes,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in CHECKS:
        print(f"usage: check_observability.py {{{'|'.join(CHECKS)}}}", file=sys.stderr)
        return 2
    errors = CHECKS[argv[0]]()
    for error in errors:
        print(f"observability check {argv[0]}: {error}", file=sys.stderr)
    if not errors:
        print(f"observability check {argv[0]}: ok")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
