"""The generated repository's Terraform (infra/): its `make ci` stage, the mutations its policies
must catch, the single-region render, and the regional failover runbook."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import harness

pytestmark = pytest.mark.render

TERRAFORM_TOOLS = ["tofu", "tflint", "terraform-docs", "conftest", "checkov"]
INFRA_CHECKS = [
    "infra-fmt-check",
    "infra-validate",
    "infra-lint",
    "infra-docs-check",
    "infra-policy",
    "infra-checkov",
]
RUNBOOK = "docs/runbooks/region-failover.md"
CHECKLIST = "docs/runbooks/region-failover-checklist.md"


@pytest.fixture(scope="module")
def terraform_tools() -> Path:
    """The Terraform tools of the pinned toolchain; fails (never skips) when one is missing."""
    bin_dir = harness.tools_dir() / "bin"
    missing = [tool for tool in TERRAFORM_TOOLS if not (bin_dir / tool).exists()]
    if missing:
        pytest.fail(
            f"the pinned toolchain lacks {missing} in {bin_dir}; run `make bootstrap`",
            pytrace=False,
        )
    return bin_dir


@pytest.fixture(scope="module")
def single_region(
    template_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[harness.Engine], Path]]:
    """The default service rendered with the secondary region left blank, per engine."""
    cache: dict[str, Path] = {}

    def _render(engine: harness.Engine) -> Path:
        if engine not in cache:
            answers = {**harness.load_example("default"), "aws_region_secondary": ""}
            dest = tmp_path_factory.mktemp(f"single-region-{engine}") / "service"
            kwargs: dict[str, Any] = {"src": template_snapshot}
            if engine == "copier":
                kwargs["vcs_ref"] = "HEAD"
            cache[engine] = harness.render(engine, answers, dest, **kwargs)
        return cache[engine]

    yield _render


def tf_text(project: Path) -> str:
    files = sorted((project / "infra").rglob("*.tf"))
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_make_ci_runs_the_terraform_stage(rendered: Callable[..., Path]) -> None:
    mk = (rendered("default") / "mk" / "infra.mk").read_text(encoding="utf-8")
    ci_checks = " ".join(re.findall(r"^CI_CHECKS \+= (.*)$", mk, re.MULTILINE)).split()
    assert ci_checks == INFRA_CHECKS


@pytest.mark.toolchain
def test_default_render_passes_the_terraform_stage(
    fresh_project: Callable[..., Path], terraform_tools: Path
) -> None:
    output = harness.assert_make_passes(fresh_project("default"), "infra-check")
    # Every check says what it ran; validate says it did not run, and why.
    for text in [
        "infra-fmt-check: ran tofu fmt",
        "infra-lint: ran tflint",
        "infra-docs-check: 8 module READMEs are current",
        "passed",
        "infra-validate: NOT RUN: tofu init/validate need the hashicorp/aws provider",
    ]:
        assert text in output, f"`make infra-check` output lacks {text!r}:\n{output[-4000:]}"


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    old: str
    new: str
    rule: str


MUTATIONS = [
    Mutation(
        "resource-without-tags",
        "infra/modules/registry/main.tf",
        "    kms_key         = aws_kms_key.this.arn\n  }\n\n  tags = var.tags\n",
        "    kms_key         = aws_kms_key.this.arn\n  }\n",
        "TFM-001",
    ),
    Mutation(
        "unencrypted-database",
        "infra/modules/database/main.tf",
        "storage_encrypted     = true",
        "storage_encrypted     = false",
        "TFM-002",
    ),
    Mutation(
        "prod-without-deletion-protection",
        "infra/envs/prod/main.tf",
        "deletion_protection        = true",
        "deletion_protection        = false",
        "TFM-003",
    ),
    Mutation(
        "mutable-ecr",
        "infra/modules/registry/main.tf",
        'image_tag_mutability = "IMMUTABLE"',
        'image_tag_mutability = "MUTABLE"',
        "TFM-005",
    ),
    Mutation(
        "backend-without-locking",
        "infra/envs/staging/versions.tf",
        "    use_lockfile = true\n",
        "",
        "TFM-006",
    ),
    Mutation(
        "wildcard-irsa-subject",
        "infra/modules/service-iam/main.tf",
        '"system:serviceaccount:${var.namespace}:${sa}"',
        '"system:serviceaccount:${var.namespace}:*"',
        "TFM-007",
    ),
    Mutation(
        "failover-record-without-health-check",
        "infra/modules/dns/main.tf",
        "  health_check_id = aws_route53_health_check.this[each.key].id\n",
        "",
        "TFM-008",
    ),
]


@pytest.mark.mutation
@pytest.mark.toolchain
@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_broken_terraform_fails_ci_naming_the_rule(
    fresh_project: Callable[..., Path], terraform_tools: Path, mutation: Mutation
) -> None:
    project = fresh_project("default")

    def transform(text: str) -> str:
        assert text.count(mutation.old) == 1, f"{mutation.path} no longer has {mutation.old!r}"
        return text.replace(mutation.old, mutation.new)

    harness.mutate(project, mutation.path, transform)
    output = harness.assert_make_fails(project, "infra-policy", expect=f"[{mutation.rule}] ")
    assert mutation.path in output, f"the message does not name the file:\n{output[-3000:]}"


@pytest.mark.parametrize("engine", harness.ENGINES)
def test_blank_secondary_region_renders_no_failover(
    single_region: Callable[[harness.Engine], Path], engine: harness.Engine
) -> None:
    project = single_region(engine)
    text = tf_text(project)
    envs = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((project / "infra" / "envs").rglob("*.tf"))
    )
    assert 'module "dns"' not in envs
    assert "_secondary" not in envs.replace("aws_region_secondary", "")
    assert 'replica_region = ""' in envs
    assert "backup_replication_enabled = false" in envs
    assert not (project / RUNBOOK).exists() and not (project / CHECKLIST).exists()
    # The dns module stays available, unused: no root instantiates a failover record.
    assert "failover_routing_policy" in text


@pytest.mark.toolchain
def test_blank_secondary_region_passes_the_terraform_stage(
    single_region: Callable[[harness.Engine], Path], terraform_tools: Path, tmp_path: Path
) -> None:
    project = harness.copy_project(single_region("copier"), tmp_path / "service")
    harness.assert_make_passes(project, "infra-check")


def runbook_steps(text: str) -> list[str]:
    steps: list[str] = []
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif section in {"Failover", "Failback"} and re.match(r"\d+\. ", line):
            steps.append(line)
    return steps


def test_runbook_steps_name_a_command_or_console_and_an_owner(
    rendered: Callable[..., Path],
) -> None:
    project = rendered("default")
    steps = runbook_steps((project / RUNBOOK).read_text(encoding="utf-8"))
    assert len(steps) >= 15, steps
    for step in steps:
        assert re.search(r"Owner: (IC|on-call|service owner)\.", step), f"no owner: {step}"
        assert re.search(r"Command: `[^`]+`", step) or "Console: " in step, f"no command: {step}"
    checklist = (project / CHECKLIST).read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] \d+\. .*Owner: (?:IC|on-call|service owner)\.$", checklist, re.M)
    assert len(items) == len(steps), "the checklist must have one line per runbook step"


def test_runbook_mentions_only_resources_that_exist(rendered: Callable[..., Path]) -> None:
    project = rendered("default")
    runbook = (project / RUNBOOK).read_text(encoding="utf-8")
    text = tf_text(project)
    declared_types = set(re.findall(r'^resource "(aws_[a-z0-9_]+)"', text, re.MULTILINE))
    mentioned_types = set(re.findall(r"\b(aws_[a-z0-9_]+)\b", runbook))
    assert mentioned_types, "the runbook names no Terraform resource"
    assert mentioned_types <= declared_types, mentioned_types - declared_types
    prod = (project / "infra" / "envs" / "prod" / "main.tf").read_text(encoding="utf-8")
    modules = set(re.findall(r'^module "([a-z_]+)"', prod, re.MULTILINE))
    mentioned_modules = set(re.findall(r"\bmodule\.([a-z_]+)", runbook))
    assert mentioned_modules and mentioned_modules <= modules, mentioned_modules - modules
    variables = r"`(ttl_seconds|request_interval_seconds|failure_threshold)`"
    for variable in re.findall(variables, runbook):
        assert f'variable "{variable}"' in text


@pytest.mark.mutation
@pytest.mark.toolchain
def test_stale_readme_bad_formatting_and_lint_fail_ci(
    fresh_project: Callable[..., Path], terraform_tools: Path
) -> None:
    project = fresh_project("default")
    harness.mutate(
        project,
        "infra/modules/dns/outputs.tf",
        lambda text: text.replace("The failover host name.", "The host name."),
    )
    harness.assert_make_fails(
        project, "infra-docs-check", expect="infra/modules/dns/README.md is out of date"
    )
    harness.mutate(
        project,
        "infra/modules/dns/outputs.tf",
        lambda text: text.replace("value       = var.record_name", "value = var.record_name"),
    )
    harness.assert_make_fails(project, "infra-fmt-check", expect="outputs.tf")
    harness.mutate(
        project,
        "infra/modules/dns/variables.tf",
        lambda text: text + 'variable "unused" {\n  type = string\n}\n',
    )
    harness.assert_make_fails(project, "infra-lint", expect="terraform_unused_declarations")


def _module_block(text: str, name: str) -> str:
    match = re.search(rf'^module "{name}" {{\n(.*?)^}}\n', text, re.MULTILINE | re.DOTALL)
    assert match, f'module "{name}" is missing'
    return match.group(1)


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_rotation_and_velero_roles_exist_with_exact_trust(
    rendered: Callable[..., Path], env: str
) -> None:
    """The chart's rotation.awsRoleArn and backup.storageLocation.irsaRoleArn name roles that
    infra/ creates, each trusting one exact ServiceAccount (TFM-007 checks the trust's form)."""
    project = rendered("default")
    main = (project / f"infra/envs/{env}/main.tf").read_text(encoding="utf-8")
    outputs = (project / f"infra/envs/{env}/outputs.tf").read_text(encoding="utf-8")
    rotation = _module_block(main, "rotation_iam")
    assert 'role_name        = "${local.name}-rotation"' in rotation
    assert 'service_accounts = ["${local.service}-rotate-database"]' in rotation
    assert 'rotated_secret_arns = [module.secrets.secret_arns["database-url"]]' in rotation
    velero = _module_block(main, "velero_iam")
    assert 'role_name        = "${local.service}-velero-${local.environment}"' in velero
    assert 'namespace        = "velero"' in velero
    assert 'service_accounts = ["velero-server"]' in velero
    for block in (rotation, velero):
        assert "*" not in block
    # The service's own role does not read the admin credential the rotation job uses.
    assert 'arn if name != "database-admin"' in _module_block(main, "service_iam")
    assert "module.rotation_iam.role_arn" in outputs
    assert "module.velero_iam.role_arn" in outputs
    # The chart's values for this environment name the same roles.
    chart = project / "charts/team-notes"
    values = (chart / ("values.yaml" if env == "dev" else f"values-{env}.yaml")).read_text(
        encoding="utf-8"
    )
    if env != "dev":
        assert f"role/team-notes-{env}-rotation" in values
    else:
        assert "role/team-notes-dev-rotation" in values
    env_values = (chart / f"values-{env}.yaml").read_text(encoding="utf-8")
    assert f"role/team-notes-velero-{env}" in env_values
    # The module's trust: StringEquals on the exact subjects, never StringLike.
    module = (project / "infra/modules/service-iam/main.tf").read_text(encoding="utf-8")
    trust = module[module.index('data "aws_iam_policy_document" "trust"') :]
    trust = trust[: trust.index('resource "aws_iam_role" "this"')]
    assert "StringLike" not in trust
    assert 'test     = "StringEquals"' in trust
