"""The generated Helm chart and policy suite: what they render, and that their checks pass.

Covers charts/<service>/, policy/, mk/helm.mk and mk/policy.mk of the generated repository:
- the rendered objects honour the answers and the app/deployment contract;
- `make ci` really runs the chart and policy targets (tests/test_generated_ci.py runs it for
  every example and checks their reports);
- the `helm test` pod passes against a healthy service and fails with its fault toggle;
- the generated Gatekeeper ConstraintTemplates evaluate like the conftest policies;
- every rule is documented and tested.
"""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import harness

CHART_TARGETS = [
    "chart-lint",
    "chart-docs-check",
    "chart-schema",
    "chart-kubeconform",
    "chart-policy",
    "policy-test",
    "policy-fmt-check",
    "policy-gatekeeper-check",
]
SECRET_DIR = "/var/run/secrets/app"
ZERO_DIGEST = "sha256:" + "0" * 64
RULE_ID = re.compile(r"^#\s+id:\s+([A-Z]{3}-[0-9]{3})\s*$", re.MULTILINE)


def chart_dir(project: Path) -> Path:
    (chart,) = (project / "charts").iterdir()
    return chart


def helm_template(project: Path, env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    """`helm template` of the project's chart (release named like the chart), as objects."""
    chart = chart_dir(project)
    result = subprocess.run(
        ["helm", "template", chart.name, str(chart), "--kube-version", "1.35.4", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


# --------------------------------------------------------------------------------------- render


@pytest.mark.render
@pytest.mark.toolchain
@pytest.mark.parametrize("name", harness.example_names())
def test_rendered_objects_follow_the_answers_and_the_contract(
    rendered: Callable[..., Path], chart_tools: dict[str, str], name: str
) -> None:
    answers = harness.load_example(name)
    slack = answers.get("slack_app", True) in (True, "true")
    database = answers.get("database", "postgresql") == "postgresql"
    istio = answers.get("mesh", "istio") == "istio"
    account = answers.get("aws_account_id", "123456789012")
    package = answers["package_name"]
    project = rendered(name)
    svc = chart_dir(project).name
    objects = helm_template(project, chart_tools)
    kinds = {o["kind"] for o in objects}
    assert {
        "Deployment",
        "Service",
        "ConfigMap",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ServiceAccount",
        "Ingress",
        "Pod",
    } <= kinds

    deployment = one(objects, "Deployment", svc)
    pod = deployment["spec"]["template"]
    (app,) = pod["spec"]["containers"]
    assert app["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert app["args"] == ["serve"]
    assert {
        p: app[p]["httpGet"]["path"] for p in ("startupProbe", "readinessProbe", "livenessProbe")
    } == {"startupProbe": "/startupz", "readinessProbe": "/readyz", "livenessProbe": "/livez"}
    assert pod["spec"]["securityContext"]["runAsUser"] == 65532
    assert pod["spec"]["securityContext"]["runAsGroup"] == 65532
    assert app["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["spec"]["automountServiceAccountToken"] is False
    writable = [m["mountPath"] for m in app["volumeMounts"] if not m.get("readOnly")]
    assert writable == ["/tmp"]
    assert ("sidecar.istio.io/inject" in pod["metadata"]["labels"]) is istio

    config = one(objects, "ConfigMap", svc)["data"]
    assert config["APP_ENV"] == "dev"
    expected_refs = {}
    if database:
        expected_refs["APP_DATABASE_URL_REF"] = f"file:{SECRET_DIR}/database-url"
    if slack:
        expected_refs |= {
            "APP_SLACK_BOT_TOKEN_REF": f"file:{SECRET_DIR}/slack-bot-token",
            "APP_SLACK_SIGNING_SECRET_REF": f"file:{SECRET_DIR}/slack-signing-secret",
            "APP_SLACK_SIGNING_SECRET_PREVIOUS_REF": (
                f"file:{SECRET_DIR}/slack-signing-secret-previous"
            ),
        }
    assert {k: v for k, v in config.items() if k.endswith("_REF")} == expected_refs
    assert ("APP_SLACK_API_BASE_URL" in config) is slack

    for account_obj in by_kind(objects, "ServiceAccount"):
        arn = account_obj["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        assert arn.startswith(f"arn:aws:iam::{account}:role/")
        assert account_obj["automountServiceAccountToken"] is False

    external = {o["metadata"]["name"]: o for o in by_kind(objects, "ExternalSecret")}
    keys = {name: {d["secretKey"] for d in es["spec"]["data"]} for name, es in external.items()}
    expected: dict[str, set[str]] = {}
    if database:
        expected[f"{svc}-database"] = {"database-url"}
        expected[f"{svc}-migrate"] = {"database-url"}
    if slack:
        expected[f"{svc}-slack"] = {
            "slack-bot-token",
            "slack-signing-secret",
            "slack-signing-secret-previous",
        }
    assert keys == expected
    assert all(es["spec"]["refreshInterval"] for es in external.values())
    assert not by_kind(objects, "Secret"), "no Secret is rendered outside local development"

    jobs = by_kind(objects, "Job")
    if database:
        (job,) = jobs
        annotations = job["metadata"]["annotations"]
        assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert annotations["argocd.argoproj.io/hook"] == "PreSync"
        assert {"backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"} <= set(
            job["spec"]
        )
        assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    else:
        assert not jobs

    server_policy = one(objects, "NetworkPolicy", svc)
    egress_ports = {p["port"] for rule in server_policy["spec"]["egress"] for p in rule["ports"]}
    assert (5432 in egress_ports) is database
    assert (15012 in egress_ports) is istio
    slack_egress = 8443 if istio else 443
    assert (slack_egress in egress_ports) is slack
    assert f"python -m {package}" in (chart_dir(project) / "values.yaml").read_text()


@pytest.mark.render
@pytest.mark.toolchain
def test_prod_render_uses_the_release_digest_and_prod_settings(
    rendered: Callable[..., Path], chart_tools: dict[str, str]
) -> None:
    chart = chart_dir(rendered("default"))
    svc = chart.name
    objects = helm_template(
        rendered("default"),
        chart_tools,
        "-f",
        str(chart / "values-prod.yaml"),
        "-f",
        str(chart / "ci" / "release.yaml"),
    )
    # Every environment delivers with Argo Rollouts (rollout.enabled, docs/delivery.md).
    image = one(objects, "Rollout", svc)["spec"]["template"]["spec"]["containers"][0]["image"]
    assert "@sha256:" in image and ZERO_DIGEST not in image
    assert one(objects, "ConfigMap", svc)["data"]["APP_ENV"] == "prod"
    assert one(objects, "HorizontalPodAutoscaler", svc)["spec"]["minReplicas"] == 3
    default = helm_template(rendered("default"), chart_tools)
    default_image = one(default, "Deployment", svc)["spec"]["template"]["spec"]["containers"][0][
        "image"
    ]
    assert default_image.endswith("@" + ZERO_DIGEST), (
        "the default image is pinned by (placeholder) digest"
    )


# Folders of policy/ that hold no rules of their own: shared helpers and generated files.
NOT_RULES = ("lib", "gatekeeper")


@pytest.mark.render
def test_every_shared_library_has_tests(rendered: Callable[..., Path]) -> None:
    libs = rendered("default") / "policy" / "lib"
    sources = [p for p in libs.glob("*.rego") if not p.name.endswith("_test.rego")]
    assert sources
    for path in sources:
        test = path.with_name(path.stem + "_test.rego")
        assert test.is_file(), f"policy/lib/{path.name} has no {test.name} beside it"
        assert re.search(r"^test_", test.read_text(encoding="utf-8"), re.MULTILINE), test.name


@pytest.mark.render
@pytest.mark.parametrize("name", harness.example_names())
def test_every_rule_is_documented_and_tested(rendered: Callable[..., Path], name: str) -> None:
    project = rendered(name)
    policy = project / "policy"
    docs = (project / "docs" / "policies.md").read_text(encoding="utf-8")
    ids: dict[str, str] = {}
    loose = sorted(p.name for p in policy.glob("*.rego"))
    assert not loose, f"rules live in a folder per concern, e.g. policy/kubernetes/: {loose}"
    for path in sorted(policy.glob("*/*.rego")):
        if path.name.endswith("_test.rego") or path.parent.name in NOT_RULES:
            continue
        text = path.read_text(encoding="utf-8")
        found = RULE_ID.findall(text)
        assert len(found) == 1, (
            f"{path.name}: exactly one METADATA custom.id expected, found {found}"
        )
        (rule_id,) = found
        assert rule_id not in ids, f"{rule_id} used by {ids.get(rule_id)} and {path.name}"
        ids[rule_id] = path.name
        for field in ("# title: ", "# description: ", "#   remediation: ", "#   severity: "):
            assert field in text, f"{path.name}: METADATA lacks {field.strip('# :')}"
        test = path.with_name(path.stem + "_test.rego").read_text(encoding="utf-8")
        assert "test_allows_" in test and re.search(r"test_(denies|warns)_", test), path.name
        assert f"| {rule_id} |" in docs, f"docs/policies.md does not list {rule_id}"
    documented = set(re.findall(r"^\| ([A-Z]{3}-[0-9]{3}) \|", docs, re.MULTILINE))
    assert documented == set(ids), f"documented but not implemented: {documented - set(ids)}"
    assert len(ids) >= 25


# ------------------------------------------------------------------------------- generated CI


@pytest.mark.render
def test_make_ci_runs_the_chart_and_policy_checks(rendered: Callable[..., Path]) -> None:
    result = harness.run_make(rendered("default"), "ci", args=["--dry-run"])
    assert result.returncode == 0, result.stderr
    for command in (
        "helm lint --strict",
        "helm template",
        "kubeconform -strict",
        "conftest test",
        "conftest verify",
        "generate.py --check",
        "helm-docs",
        "opa check --strict",
    ):
        assert command in result.stdout, f"`make ci` does not run {command!r}"
    for values in ("values-dev.yaml", "values-staging.yaml", "values-prod.yaml", "ci/edge-"):
        assert values in result.stdout, f"`make ci` does not render {values}"


# ----------------------------------------------------------------------------------- helm test


class _Healthy(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        known = {"/livez", "/readyz", "/startupz", "/metrics"}
        self.send_response(200 if self.path in known else 404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def healthy_service() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Healthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def run_helm_test_pod(
    objects: list[dict[str, Any]], service: str, base_url: str
) -> subprocess.CompletedProcess[str]:
    (pod,) = [
        o for o in by_kind(objects, "Pod") if o["metadata"]["annotations"]["helm.sh/hook"] == "test"
    ]
    (container,) = pod["spec"]["containers"]
    assert container["command"] == ["python", "-c"]
    script = container["args"][0].replace(f"http://{service}:80", base_url)
    assert script != container["args"][0], "the test pod must call the release's Service"
    return subprocess.run(
        ["python3", "-c", script], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.render
@pytest.mark.toolchain
def test_helm_test_pod_passes_and_its_fault_toggle_makes_it_fail(
    rendered: Callable[..., Path], chart_tools: dict[str, str], healthy_service: str
) -> None:
    project = rendered("default")
    svc = chart_dir(project).name
    passing = run_helm_test_pod(helm_template(project, chart_tools), svc, healthy_service)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert passing.stdout.count("ok   GET") == 4
    failing = run_helm_test_pod(
        helm_template(project, chart_tools, "--set", "tests.forceFailure=true"),
        svc,
        healthy_service,
    )
    assert failing.returncode == 1
    assert "FAIL GET" in failing.stdout and "/helm-test-forced-failure" in failing.stdout


# ---------------------------------------------------------------------------------- Gatekeeper


def gatekeeper_violations_each(
    template: dict[str, Any], objects: list[dict[str, Any]], env: dict[str, str], work: Path
) -> list[list[str]]:
    """Evaluate a ConstraintTemplate's Rego the way Gatekeeper does (libs + source, one
    input.review per object), for each object in one `opa eval`: its violation messages."""
    (code,) = template["spec"]["targets"][0]["code"]
    source = code["source"]
    assert source["version"] == "v1"
    work.mkdir(parents=True, exist_ok=True)
    (work / "policy.rego").write_text(source["rego"])
    for i, lib in enumerate(source["libs"]):
        (work / f"lib{i}.rego").write_text(lib)
    (work / "objects.json").write_text(json.dumps({"review_objects": objects}))
    package = re.search(r"^package (\S+)", source["rego"], re.MULTILINE)
    assert package
    query = (
        "[msgs | some obj in data.review_objects; "
        f"msgs := [v.msg | some v in data.{package.group(1)}.violation] "
        'with input as {"review": {"object": obj}, "parameters": {}}]'
    )
    data = [str(work / "policy.rego"), str(work / "objects.json")]
    data += [str(work / f"lib{i}.rego") for i in range(len(source["libs"]))]
    result = subprocess.run(
        ["opa", "eval", "--format", "json", *(a for d in data for a in ("--data", d)), query],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    value = json.loads(result.stdout)["result"][0]["expressions"][0]["value"]
    assert len(value) == len(objects)
    return [sorted(msgs) for msgs in value]


def gatekeeper_violations(
    template: dict[str, Any], obj: dict[str, Any], env: dict[str, str], work: Path
) -> list[str]:
    (found,) = gatekeeper_violations_each(template, [obj], env, work)
    return found


@pytest.mark.render
@pytest.mark.toolchain
def test_gatekeeper_templates_judge_objects_like_conftest(
    rendered: Callable[..., Path], chart_tools: dict[str, str], tmp_path: Path
) -> None:
    project = rendered("default")
    svc = chart_dir(project).name
    objects = helm_template(project, chart_tools)
    templates = {
        t["metadata"]["annotations"]["pavedroad.io/policy-id"]: t
        for path in sorted((project / "policy" / "gatekeeper" / "templates").glob("*.yaml"))
        for t in [yaml.safe_load(path.read_text())]
    }
    assert {"CTR-001", "CTR-002", "IMG-001", "SEC-002", "IAM-001", "ING-001"} <= set(templates)
    for rule_id, template in templates.items():
        each = gatekeeper_violations_each(template, objects, chart_tools, tmp_path / rule_id)
        for obj, found in zip(objects, each, strict=True):
            assert not found, f"{rule_id} rejects the compliant {obj['kind']}: {found}"

    deployment = one(objects, "Deployment", svc)
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"][
        "readOnlyRootFilesystem"
    ] = False
    found = gatekeeper_violations(
        templates["CTR-002"], deployment, chart_tools, tmp_path / "deny-ctr"
    )
    assert found and found[0].startswith(f"[CTR-002] Deployment/{svc}:")

    account = one(objects, "ServiceAccount", svc)
    del account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    found = gatekeeper_violations(templates["IAM-001"], account, chart_tools, tmp_path / "deny-iam")
    assert found and found[0].startswith(f"[IAM-001] ServiceAccount/{svc}:")

    constraint_dir = project / "policy" / "gatekeeper" / "constraints"
    actions = {
        yaml.safe_load(p.read_text())["spec"]["enforcementAction"]
        for p in constraint_dir.glob("ing-10*.yaml")
    }
    assert actions == {"warn"}, "advisory rules are generated as warn constraints"


@pytest.mark.render
@pytest.mark.toolchain
def test_log_size_caps_and_the_secrets_root_are_set_from_values(
    rendered: Callable[..., Path], chart_tools: dict[str, str]
) -> None:
    from pavedroad.observability.settings import (
        DEFAULT_LOG_MAX_FIELD_BYTES,
        DEFAULT_LOG_MAX_LINE_BYTES,
    )

    project = rendered("default")
    svc = chart_dir(project).name
    objects = helm_template(project, chart_tools)
    config = one(objects, "ConfigMap", svc)["data"]
    assert config["PAVEDROAD_LOG_MAX_FIELD_BYTES"] == str(DEFAULT_LOG_MAX_FIELD_BYTES)
    assert config["PAVEDROAD_LOG_MAX_LINE_BYTES"] == str(DEFAULT_LOG_MAX_LINE_BYTES)
    assert config["PAVEDROAD_SECRETS_FILE_ROOT"] == SECRET_DIR
    (job,) = by_kind(objects, "Job")
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    job_env = {e["name"]: e["value"] for e in migrate["env"]}
    assert job_env["PAVEDROAD_SECRETS_FILE_ROOT"] == SECRET_DIR
    assert job_env["PAVEDROAD_LOG_MAX_LINE_BYTES"] == str(DEFAULT_LOG_MAX_LINE_BYTES)

    big = helm_template(
        project, chart_tools, "--set", "app.logMaxFieldBytes=4096,app.logMaxLineBytes=16777216"
    )
    config = one(big, "ConfigMap", svc)["data"]
    assert (config["PAVEDROAD_LOG_MAX_FIELD_BYTES"], config["PAVEDROAD_LOG_MAX_LINE_BYTES"]) == (
        "4096",
        "16777216",
    )

    chart = chart_dir(project)
    for values, expect in (
        ("app.logMaxFieldBytes=8192,app.logMaxLineBytes=4096", "must not exceed"),
        ("app.logMaxFieldBytes=100", "logMaxFieldBytes"),
    ):
        result = subprocess.run(
            ["helm", "template", svc, str(chart), "--kube-version", "1.35.4", "--set", values],
            env=chart_tools,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode != 0, values
        assert expect in result.stderr, result.stderr


#: The chart value that sets each pavedroad-observability variable, and a value other than the
#: chart's default. The test below derives the variables from the library's settings table.
LIBRARY_VARIABLE_VALUES = {
    "PAVEDROAD_ENVIRONMENT": ("environment", "staging"),
    "PAVEDROAD_LOG_LEVEL": ("app.logLevel", "DEBUG"),
    "PAVEDROAD_LOG_FORMAT": ("app.logFormat", "console"),
    "PAVEDROAD_INSTRUMENTATION": ("app.instrumentation", "official"),
    "PAVEDROAD_REDACT_EMAILS": ("app.redactEmails", "false"),
    "PAVEDROAD_LOG_SAMPLE_RATES": ("app.logSampleRates", "sqlalchemy.engine=0.1"),
    "PAVEDROAD_LOG_REPEAT_LIMIT": ("app.logRepeatLimit", "7"),
    "PAVEDROAD_LOG_MAX_FIELD_BYTES": ("app.logMaxFieldBytes", "4096"),
    "PAVEDROAD_LOG_MAX_LINE_BYTES": ("app.logMaxLineBytes", "8192"),
    "PAVEDROAD_INSTRUMENT_DATABASE": ("app.instrumentDatabase", "false"),
    "PAVEDROAD_INSTRUMENT_HTTP_CLIENT": ("app.instrumentHttpClient", "false"),
}


@pytest.mark.render
@pytest.mark.toolchain
def test_every_library_variable_is_set_explicitly_from_values(
    rendered: Callable[..., Path], chart_tools: dict[str, str]
) -> None:
    from pavedroad.observability.settings import SETTINGS

    library = {v for s in SETTINGS for v in s.variables if v.startswith("PAVEDROAD_")}
    assert library == set(LIBRARY_VARIABLE_VALUES), (
        "pavedroad-observability's PAVEDROAD_* variables changed: give each new one a chart "
        "value (values.yaml, values.schema.json, templates/configmap.yaml, docs/service.md) and "
        "a row in LIBRARY_VARIABLE_VALUES"
    )
    project = rendered("default")
    svc = chart_dir(project).name
    defaults = one(helm_template(project, chart_tools), "ConfigMap", svc)["data"]
    sets = ",".join(f"{key}={value}" for key, value in LIBRARY_VARIABLE_VALUES.values())
    changed = one(helm_template(project, chart_tools, "--set", sets), "ConfigMap", svc)["data"]
    service_doc = (project / "docs" / "service.md").read_text(encoding="utf-8")
    for variable, (key, value) in LIBRARY_VARIABLE_VALUES.items():
        assert f"| `{variable}` |" in service_doc, f"docs/service.md does not list {variable}"
        assert variable in defaults, f"the chart does not set {variable} by default"
        assert defaults[variable] != value, f"pick a value other than {key}'s default"
        assert changed[variable] == value, f"{key} does not set {variable}"
