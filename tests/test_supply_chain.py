"""Supply chain of the generated service: workflow hardening, the offline scans and suppressions.

The render tier checks the workflows as files (only the sign job can mint an OIDC token, every
action is pinned by commit SHA, the chart workflow needs nothing but the repository). The mutation
tier breaks the default render the way a careless change would (a hardcoded Slack token,
`verify=False`, an f-string SQL query, an expired suppression) and requires the generated scan
targets, which `make ci` runs, to fail and name the scanner. Signing and verification against a
real registry are in tests/e2e/test_service_image.py.
"""

from __future__ import annotations

import datetime
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests import harness

ACTION_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v?\d+(\.\d+)*$")
SCANS = ("scan-suppressions", "scan-semgrep", "scan-bandit", "scan-gitleaks", "lint-workflows")
NOTES = "src/team_notes/notes.py"


def _workflows(project: Path) -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted((project / ".github" / "workflows").glob("*.yml"))
    }


@pytest.mark.render
def test_only_the_sign_job_can_request_an_oidc_token(rendered: Callable[..., Path]) -> None:
    """In the image pipeline only `sign` may mint a token; elsewhere only jobs that assume a cloud
    role through OIDC (terraform plan/apply, with configure-aws-credentials) hold one."""
    holders = []
    for name, text in _workflows(rendered("default")).items():
        workflow = yaml.safe_load(text)
        assert "id-token" not in workflow.get("permissions", {}), f"{name}: workflow-wide id-token"
        for job_name, job in workflow["jobs"].items():
            if (job.get("permissions") or {}).get("id-token") != "write":
                continue
            holders.append(f"{name}:{job_name}")
            # A job that calls a reusable workflow (`uses:` at job level) is checked there.
            if name != "ci.yml" and "uses" not in job:
                uses = [step.get("uses", "") for step in job.get("steps", [])]
                assert any(u.startswith("aws-actions/configure-aws-credentials@") for u in uses), (
                    f"{name}:{job_name} holds id-token: write without assuming a cloud role"
                )
    assert [holder for holder in holders if holder.startswith("ci.yml:")] == ["ci.yml:sign"]


@pytest.mark.render
def test_every_action_is_pinned_by_commit_sha(rendered: Callable[..., Path]) -> None:
    for name, text in _workflows(rendered("default")).items():
        for step in re.findall(r"^\s*(?:- )?uses:\s*(.+)$", text, re.MULTILINE):
            if step.startswith("./"):  # a reusable workflow of this repository, same commit
                continue
            assert ACTION_PIN.match(step.strip()), f"{name}: {step} is not pinned by commit SHA"


@pytest.mark.render
def test_the_sign_job_verifies_by_digest_against_this_repository(
    rendered: Callable[..., Path],
) -> None:
    workflow = yaml.safe_load((rendered("default") / ".github/workflows/ci.yml").read_text())
    assert workflow["jobs"]["build"]["outputs"]["digest"]
    sign = workflow["jobs"]["sign"]
    assert sign["env"]["DIGEST"] == "${{ needs.build.outputs.digest }}"
    script = "\n".join(step.get("run", "") for step in sign["steps"])
    assert '"$IMAGE@$DIGEST"' in script and ":$GITHUB_SHA" not in script
    assert "--certificate-identity-regexp" in script and "--certificate-oidc-issuer" in script
    identity = workflow["env"]["SIGNER_IDENTITY_REGEXP"]
    assert identity.startswith("^https://github\\.com/${{ github.repository }}/")
    assert identity.endswith("ci\\.yml@refs/heads/main$")


@pytest.mark.render
def test_the_chart_workflow_needs_only_the_repository(rendered: Callable[..., Path]) -> None:
    project = rendered("default")
    chart = (project / ".github/workflows/chart.yml").read_text(encoding="utf-8")
    assert "_src_path" not in chart and "git clone" not in chart
    # The generator and its pins travel with the repository, identical to the template's.
    for name, source in (("schemas.py", "schemas.py"), ("versions.toml", "versions.toml")):
        carried = (project / ".github/kubeconform" / name).read_bytes()
        assert carried == (harness.REPO_ROOT / "tools" / source).read_bytes(), name


def _helm_template(project: Path, *sets: str) -> str:
    chart = project / "charts" / "team-notes"
    cmd = ["helm", "template", "team-notes", str(chart), "--namespace", "team-notes"]
    cmd += ["--kube-version", "1.35.4"]
    for value in sets:
        cmd += ["--set", value]
    result = subprocess.run(
        cmd, env=harness.toolchain_env(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.toolchain
def test_the_chart_admits_only_images_signed_by_this_repository(
    rendered: Callable[..., Path], toolchain: Path
) -> None:
    project = rendered("default")
    docs = list(yaml.safe_load_all(_helm_template(project, "namespace.create=true")))
    (policy,) = [d for d in docs if d and d["kind"] == "ClusterImagePolicy"]
    assert policy["spec"]["images"] == [{"glob": "ghcr.io/acme/team-notes*"}]
    (authority,) = policy["spec"]["authorities"]
    assert authority["keyless"]["identities"] == [
        {
            "issuer": "https://token.actions.githubusercontent.com",
            "subjectRegExp": (
                r"^https://github\.com/acme/team-notes/\.github/workflows/ci\.yml@refs/heads/main$"
            ),
        }
    ]
    assert authority["attestations"] == [{"name": "sbom", "predicateType": "cyclonedx"}]
    (namespace,) = [d for d in docs if d and d["kind"] == "Namespace"]
    assert namespace["metadata"]["labels"]["policy.sigstore.dev/include"] == "true"
    # Where Argo CD creates the namespace instead, its managed metadata opts in the same way.
    for env in ("dev", "staging", "prod"):
        app = yaml.safe_load((project / f"deploy/argocd/apps/{env}.yaml").read_text())
        labels = app["spec"]["syncPolicy"]["managedNamespaceMetadata"]["labels"]
        assert labels["policy.sigstore.dev/include"] == "true", env

    pem = (
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"
    )
    keyed = yaml.safe_load_all(_helm_template(project, f"imagePolicy.publicKey={pem}"))
    (policy,) = [d for d in keyed if d and d["kind"] == "ClusterImagePolicy"]
    (authority,) = policy["spec"]["authorities"]
    assert "keyless" not in authority
    assert authority["key"]["data"].strip() == pem


@pytest.mark.toolchain
def test_a_tag_only_image_under_the_image_policy_fails_the_policy_check(
    rendered: Callable[..., Path], toolchain: Path, tmp_path: Path
) -> None:
    project = rendered("default")
    manifests = tmp_path / "tag-only.yaml"
    manifests.write_text(_helm_template(project, "image.digest=", "image.tag=1.4.2"))
    result = subprocess.run(
        [
            "conftest",
            "test",
            "--combine",
            "--all-namespaces",
            "--no-color",
            "--parser",
            "yaml",
            "--policy",
            str(project / "policy"),
            str(manifests),
        ],
        env=harness.toolchain_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "[SUP-002] Deployment/team-notes: " in result.stdout
    assert "not pinned by digest" in result.stdout


@pytest.mark.toolchain
def test_actionlint_passes_and_make_ci_runs_every_scan(
    rendered: Callable[..., Path], toolchain: Path
) -> None:
    project = rendered("default")
    harness.assert_make_passes(project, "lint-workflows")
    database = harness.run_make(project, "ci", args=("-p", "-n")).stdout
    checks = re.search(r"^CI_CHECKS :=(.*)$", database, re.MULTILINE)
    assert checks, "CI_CHECKS not found in make's database"
    assert set(SCANS) <= set(checks.group(1).split())


def _suppress(project: Path, scanner: str, finding: str, expires: datetime.date) -> None:
    with (project / ".security-suppressions.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            f'\n[[suppression]]\nid = "{finding}"\nscanner = "{scanner}"\n'
            'reason = "accepted for the mutation test only"\nowner = "@platform"\n'
            f"expires = {expires.isoformat()}\n"
        )


def _slack_token() -> str:
    # Assembled here so that this file itself holds no token-shaped string.
    return "-".join(["xox" + "b", "2718281828459", "3141592653589", "Zq7RkP2mWx9TcLb4VnHs8JdF"])


@pytest.mark.mutation
@pytest.mark.toolchain
def test_a_hardcoded_slack_token_fails_gitleaks(
    fresh_project: Callable[..., Path], toolchain: Path
) -> None:
    project = fresh_project("default")
    harness.mutate(
        project, NOTES, lambda text: text + f'\n\nFALLBACK_BOT_TOKEN = "{_slack_token()}"\n'
    )
    harness.assert_make_fails(project, "scan-gitleaks", expect=["slack-bot-token", NOTES])
    # Committed and then removed from the tree, it is still found in the history.
    harness.git(project, "init", "--quiet")
    harness.git(project, "add", "--all")
    harness.git(project, "commit", "--quiet", "--message", "leak")
    harness.mutate(project, NOTES, lambda text: text.replace(_slack_token(), "removed"))
    output = harness.assert_make_fails(project, "scan-gitleaks", expect="slack-bot-token")
    assert "secrets found in the git history" in output


@pytest.mark.mutation
@pytest.mark.toolchain
@pytest.mark.slow
def test_tls_off_and_f_string_sql_fail_semgrep_and_bandit_until_suppressed(
    fresh_project: Callable[..., Path], toolchain: Path
) -> None:
    """Both mutations in one project: semgrep reports every finding, so one run shows each rule
    fires (and saves a semgrep start, the slowest part of the scan stage)."""
    project = fresh_project("default")
    harness.mutate(
        project,
        NOTES,
        lambda text: (
            text
            + "\n\ndef fetch_partner_status() -> int:\n"
            + "    import requests\n\n"
            + '    response = requests.get("https://partner.example", verify=False, timeout=5)\n'
            + "    return response.status_code\n"
            + "\n\nasync def count_for(session, channel):\n"
            + "    from sqlalchemy import text as sql\n\n"
            + "    query = sql(f\"SELECT count(*) FROM notes WHERE channel = '{channel}'\")\n"
            + "    return await session.execute(query)\n"
        ),
    )
    tls = "semgrep.tls-verification-disabled"
    sql = "semgrep.sql-built-with-string-formatting"
    harness.assert_make_fails(project, "scan-semgrep", expect=[tls, sql, NOTES])
    harness.assert_make_fails(project, "scan-bandit", expect=["B501", "B608", NOTES])
    # Dated suppressions, per scanner and finding, accept exactly these; nothing else is hidden.
    expires = datetime.date.today() + datetime.timedelta(days=30)
    for scanner, finding in (("semgrep", tls), ("semgrep", sql), ("bandit", "B501")):
        _suppress(project, scanner, finding, expires)
    harness.assert_make_fails(project, "scan-bandit", expect="B608")
    _suppress(project, "bandit", "B608", expires)
    harness.assert_make_passes(project, "scan-semgrep")
    harness.assert_make_passes(project, "scan-bandit")


@pytest.mark.mutation
@pytest.mark.toolchain
def test_an_expired_or_malformed_suppression_fails_naming_it(
    fresh_project: Callable[..., Path], toolchain: Path
) -> None:
    project = fresh_project("default")
    _suppress(project, "trivy", "CVE-2024-12345", datetime.date(2026, 1, 31))
    harness.assert_make_fails(
        project,
        "scan-suppressions",
        expect=["suppression #1 (trivy CVE-2024-12345)", "expired on 2026-01-31"],
    )
    (project / ".security-suppressions.toml").write_text(
        '[[suppression]]\nid = "B608"\nscanner = "banditt"\nowner = "@x"\n', encoding="utf-8"
    )
    harness.assert_make_fails(
        project,
        "scan-semgrep",  # every scan depends on the check: none runs on a broken file
        expect=["missing field 'reason'", "missing field 'expires'", "scanner 'banditt'"],
    )


@pytest.mark.render
def test_the_suppressions_checker_is_standard_library_only(rendered: Callable[..., Path]) -> None:
    script = rendered("default") / "scripts" / "security_suppressions.py"
    result = subprocess.run(
        ["python3", "-I", "-S", str(script), "--file", "/nonexistent.toml", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "missing" in result.stderr
