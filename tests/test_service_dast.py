"""Local DAST of the generated service: `make dast` runs schemathesis against the real service.

The default render's own `make dast` starts the service (SQLite, no Slack) and fuzzes its OpenAPI
document. The test reads the reports to see that the checks really ran on every operation
outside /slack/ (which signed-request fuzzing covers), and then adds a route that answers 500
for some input: `make dast` must fail and name schemathesis, the check and the operation.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import harness

CHECKS = {"not_a_server_error", "response_schema_conformance", "content_type_conformance"}
HEALTH = "src/team_notes/health.py"
BROKEN_ROUTE = """

@router.get("/notes/count")
async def notes_count(limit: int = 10) -> dict[str, int]:
    if limit < 0:
        raise ValueError("limit must not be negative")
    return {"count": min(limit, 3)}
"""


def _checks_run(events: Path) -> tuple[Counter[str], set[str]]:
    """How often each check ran, and the operations tested, from schemathesis's NDJSON events."""
    checks: Counter[str] = Counter()
    operations: set[str] = set()
    for line in events.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        scenario = event.get("ScenarioFinished")
        if not scenario:
            continue
        operations.add(scenario["recorder"]["label"])
        for results in scenario["recorder"].get("checks", {}).values():
            checks.update(result["name"] for result in results)
    return checks, operations


@pytest.mark.slow
@pytest.mark.mutation
def test_make_dast_runs_its_checks_and_fails_on_a_server_error(
    fresh_project: Callable[..., Path], wheelhouse: Path
) -> None:
    project = fresh_project("default")
    harness.install_project_venv(project, wheelhouse)

    output = harness.assert_make_passes(project, "dast", timeout=300)
    assert "dast: schemathesis passed" in output
    junit = ET.parse(project / "reports" / "dast-junit.xml").getroot()
    assert int(junit.attrib["tests"]) >= 3 and junit.attrib["failures"] == "0"
    checks, operations = _checks_run(project / "reports" / "dast-events.ndjson")
    assert set(checks) == CHECKS and min(checks.values()) > 0, checks
    assert operations == {"GET /livez", "GET /startupz", "GET /readyz"}

    harness.mutate(project, HEALTH, lambda text: text + BROKEN_ROUTE)
    harness.assert_make_fails(
        project,
        "dast",
        expect=["schemathesis", "Server error", "GET /notes/count", "schemathesis found problems"],
        timeout=300,
    )
    # A dated suppression names the operation as schemathesis prints it, and only that one.
    with (project / ".security-suppressions.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[[suppression]]\nid = "GET /notes/count"\nscanner = "schemathesis"\n'
            'reason = "accepted for the mutation test only"\nowner = "@platform"\n'
            f"expires = {datetime.date.today() + datetime.timedelta(days=30)}\n"
        )
    flags = subprocess.run(
        ["python3", "scripts/security_suppressions.py", "args", "schemathesis"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert flags.splitlines() == ["--exclude-name=GET /notes/count"]
