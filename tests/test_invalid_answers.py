"""Invalid answers: a non-zero exit, a message naming the answer and the fix, and no output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import harness

pytestmark = pytest.mark.render

INVALID: list[tuple[dict[str, Any], list[str]]] = [
    ({"project_slug": "My Service!"}, ["project_slug 'My Service!'", "lowercase letters"]),
    ({"python_version": "2.7"}, ["python_version", "2.7"]),
    ({"slo_availability": "101"}, ["slo_availability '101", "excluding 100"]),
    ({"slo_latency_ms": "-5"}, ["slo_latency_ms", "-5"]),
    ({"slo_availability": "100"}, ["slo_availability '100", "excluding 100"]),
    ({"oncall": "victorops"}, ["oncall", "victorops"]),
    ({"aws_account_id": "1234"}, ["aws_account_id '1234'", "12-digit"]),
    ({"aws_account_id": "1234567890123"}, ["aws_account_id '1234567890123'", "12-digit"]),
    ({"aws_region": "us-east"}, ["aws_region 'us-east'", "not an AWS region name"]),
    ({"aws_region_secondary": "mars-1"}, ["aws_region_secondary 'mars-1'", "not an AWS region"]),
    (
        {"aws_region_secondary": "us-east-1"},
        ["aws_region_secondary 'us-east-1'", "equals aws_region"],
    ),
]


@pytest.mark.parametrize("engine", harness.ENGINES)
@pytest.mark.parametrize(
    ("bad", "expected"), INVALID, ids=[next(iter(b)) + "=" + str(*b.values()) for b, _ in INVALID]
)
def test_invalid_answer_is_rejected_without_output(
    template_snapshot: Path,
    tmp_path: Path,
    engine: harness.Engine,
    bad: dict[str, Any],
    expected: list[str],
) -> None:
    answers = {**harness.load_example("default"), **bad}
    dest = tmp_path / "service"
    if engine == "copier":
        result = harness.render_copier(
            answers, dest, src=template_snapshot, vcs_ref="HEAD", check=False
        )
    else:
        result = harness.render_cookiecutter(answers, dest, src=template_snapshot, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"{bad} was accepted by {engine}"
    for text in expected:
        assert text in output, f"{engine}'s message for {bad} does not name {text!r}:\n{output}"
    assert not dest.exists(), f"{engine} left {dest} behind after rejecting {bad}"
    assert not list(tmp_path.iterdir()), f"{engine} left files in {tmp_path}"
