"""scripts/check_runbooks.py: the runbooks' references resolve, and a broken one is caught."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_runbooks = _module(ROOT / "scripts" / "check_runbooks.py")


def test_every_runbook_reference_exists() -> None:
    files = [ROOT / "docs" / "dr.md", *sorted((ROOT / "docs" / "runbooks").glob("*.md"))]
    assert check_runbooks.problems(files) == []


def test_missing_script_and_target_are_named(tmp_path: Path) -> None:
    runbook = tmp_path / "broken.md"
    runbook.write_text(
        "1. Run `python scripts/no_such_restore.py --now`.\n"
        "2. Then `make no-such-target BACKUP_REPO=/x`.\n"
        "3. Prose that says make sure is not a command.\n",
        encoding="utf-8",
    )
    found = check_runbooks.problems([runbook])
    assert len(found) == 2
    assert "broken.md:1: scripts/no_such_restore.py does not exist" in found[0]
    assert "`make no-such-target`: no such target" in found[1]


def test_targets_in_code_blocks_are_checked(tmp_path: Path) -> None:
    runbook = tmp_path / "block.md"
    runbook.write_text("```bash\nmake ci\nmake runbook-checks\n```\n", encoding="utf-8")
    assert [p.split(": ", 1)[1] for p in check_runbooks.problems([runbook])] == [
        "`make runbook-checks`: no such target in Makefile or mk/*.mk"
    ]
