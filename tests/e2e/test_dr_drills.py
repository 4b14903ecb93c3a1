"""End to end with real servers: the default service's disaster-recovery drills.

The point-in-time restore drill is the generated repository's own `make restore-drill`
(scripts/restore_drill.py drill): a throwaway PostgreSQL with WAL archiving, the migrations, notes
written through the running service with signed Slack slash commands, a base backup, more notes,
the time T, the notes table dropped, a restore to T. Its JSON report must show no acknowledged
note lost and no note written after T present; the figures go to docs/dr.md and the README.

The chaos test is `make chaos-local` (scripts/chaos_local.py): signed slash commands and events,
a third of them retried, against the service on PostgreSQL while the service is killed and
restarted, PostgreSQL restarted and cut off for 5 s. No acknowledged note may be lost, no event
processed twice, readiness must drop during the outage and return, and the process must survive.
Failed acknowledgements per fault are reported, not asserted: they depend on the machine's load.

The failover drill is `make failover-drill` (scripts/failover_drill.py, root): two regions in
network namespaces (198.18.0.0/15), a PostgreSQL primary and its streaming replica, the service in
both, PowerDNS answering the service's name with a health-checked LUA record. Region a is cut off;
the name must move to b, the runbook's scripts/promote_replica.py promotes b, writes must succeed,
and the failback must lose nothing b acknowledged. RTO and RPO are reported (the RPO of
asynchronous replication is a measurement, not a guarantee); no namespace may be left behind.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import harness

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def project(
    rendered: Callable[..., Path], wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """One writable copy of the default render with its virtualenv, for every drill here."""
    copy = harness.copy_project(rendered("default"), tmp_path_factory.mktemp("e2e-dr") / "svc")
    harness.install_project_venv(copy, wheelhouse)
    return copy


def last_json(output: str) -> dict[str, Any]:
    """The drill's report: the last line of its output that is a JSON object."""
    lines = [line for line in output.splitlines() if line.startswith("{")]
    assert lines, f"no JSON report in the output:\n{output[-3000:]}"
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def test_point_in_time_restore_loses_no_acknowledged_note(project: Path) -> None:
    output = harness.assert_make_passes(project, "restore-drill", timeout=240)
    report = last_json(output)
    print(f"PITR drill: {report}")  # the figures docs/dr.md and the README quote
    assert "preconditions: all met" in output
    assert report["notes_acknowledged_before_t"] > 0
    assert report["notes_written_after_t"] > 0
    assert report["rows_lost"] == 0, report["lost_ids"]
    assert report["notes_after_t_present"] == 0, report["leaked_ids"]


def test_chaos_under_load_loses_no_acknowledged_note(project: Path) -> None:
    output = harness.assert_make_passes(project, "chaos-local", timeout=300)
    report = last_json(output)
    print(f"chaos under load: {report}")  # the figures docs/dr.md and the README quote
    assert report["notes_acknowledged"] > 0
    assert report["notes_lost"] == 0
    assert report["events_acknowledged"] > 0
    assert report["events_processed_twice"] == 0
    assert report["readiness_false_during_outage"]
    assert report["readiness_recovered_after_s"] is not None
    assert report["survived_restart_and_outage"]
    assert set(report["faults"]) == {"kill", "restart", "outage"}


def test_two_region_failover_moves_the_name_and_writes_to_the_secondary(project: Path) -> None:
    assert os.geteuid() == 0, "the failover drill needs root for its network namespaces"
    output = harness.assert_make_passes(project, "failover-drill", timeout=180)
    report = last_json(output)
    print(f"failover drill: {report}")  # the figures docs/dr.md and the README quote
    assert report["notes_acknowledged_before_cut"] > 0
    assert report["notes_acknowledged_by_secondary"] > 0
    assert report["rto_seconds"] > 0
    assert report["rpo_notes_lost"] >= 0
    assert report["failed_back"]
    assert report["failback_notes_lost"] == 0, report["lost_labels"]
    left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    assert not re.findall(r"^fo\d+-(?:wan|a|b)\b", left.stdout, re.MULTILINE), left.stdout
