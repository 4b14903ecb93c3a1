"""What `copier copy` prints: its closing message is rendered, and no `--trust` is needed.

Copier renders `_message_*` with the template's `_envops` (`<{ }>`), so a message written with
`{{ }}` would print literally. Copier also refuses a template with unsafe features (tasks,
migrations, Jinja extensions) unless `--trust` is given: rendering without it here proves the
README's quickstart, which omits the flag, works.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import harness

pytestmark = pytest.mark.render


def test_copy_without_trust_prints_the_rendered_closing_message(
    template_snapshot: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "team-notes"
    cmd = [
        sys.executable,
        "-m",
        "copier",
        "copy",
        "--defaults",
        "--vcs-ref",
        "HEAD",
        "--data-file",
        str(harness.EXAMPLES_DIR / "default.yml"),
        str(template_snapshot),
        str(dest),
    ]
    result = subprocess.run(
        cmd, capture_output=True, text=True, env=harness.toolchain_env(harness.GIT_ENV), check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-harness.OUTPUT_TAIL :]
    assert f'Your service "Team Notes" is ready in {dest}.' in output, output[-2000:]
    assert f"cd {dest}\n" in output
    message = output[output.index("Your service") :]
    for leftover in ("{{", "}}", "<{", "}>", "<%"):
        assert leftover not in message, f"unrendered {leftover!r} in the closing message"
