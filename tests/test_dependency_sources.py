"""The internal pavedroad-* libraries come only from the company index or a local wheelhouse.

A generated repository never installs them from PyPI (anyone may publish those names there:
dependency confusion): `make venv` stops before installing anything when neither PIP_INDEX_URL
(a non-PyPI index) nor PIP_FIND_LINKS is set, and the generated CI has no PyPI fallback for a
missing PIP_INDEX_URL secret, so it fails closed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.e2e.images import build_library_wheels
from tests.harness import REPO_ROOT
from tools import internal_hashes

pytestmark = pytest.mark.render

UNSET = ("PIP_INDEX_URL", "PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "UV_INDEX_URL")


@pytest.mark.parametrize("index", [None, "https://pypi.org/simple"], ids=["no-index", "pypi"])
def test_make_venv_fails_closed_without_the_internal_index(
    fresh_project: Callable[..., Path], index: str | None
) -> None:
    project = fresh_project("default")
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    if index is not None:
        env["PIP_INDEX_URL"] = index
    result = subprocess.run(
        ["make", "--no-print-directory", "venv"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0, result.stdout
    assert "set PIP_INDEX_URL to the company index" in result.stderr, result.stderr
    assert not (project / ".venv").exists(), "it must stop before installing anything"


def test_the_generated_ci_has_no_pypi_fallback(rendered: Callable[..., Path]) -> None:
    workflow = yaml.safe_load((rendered("default") / ".github/workflows/ci.yml").read_text())
    assert workflow["env"]["PIP_INDEX_URL"] == "${{ secrets.PIP_INDEX_URL }}"
    internal = (rendered("default") / "requirements-internal.txt").read_text()
    assert "--extra-index-url" not in internal and "--index-url" not in internal


def internal_installs(text: str) -> list[str]:
    """Each `pip install` command (continuations joined, `&&` chains split) of the internal libs."""
    commands = text.replace("\\\n", " ").replace("&&", "\n").splitlines()
    return [
        c
        for c in commands
        if "pip install" in c and ("requirements-internal.txt" in c or "secrets.txt" in c)
    ]


def test_the_internal_libraries_are_hash_pinned_to_the_wheels_built_here(
    rendered: Callable[..., Path], wheelhouse: Path
) -> None:
    """requirements-internal.txt records the sha256 of the wheels this commit builds (they are
    byte-reproducible), and every install of it requires them; `make wheels` rewrites the hashes."""
    project = rendered("default")
    internal = (project / "requirements-internal.txt").read_text(encoding="utf-8")
    built = internal_hashes.wheel_hashes(wheelhouse)
    assert set(built) == {"pavedroad-observability", "pavedroad-secrets"}
    assert internal_hashes.with_hashes(internal, built) == internal, (
        "requirements-internal.txt does not record the hashes of the wheels built from this "
        "commit: run `make wheels` and commit template/.../requirements-internal.txt"
    )
    for name, (version, digest) in built.items():
        assert f"{name}=={version} \\\n    --hash=sha256:{digest}" in internal
    python_mk = (project / "mk" / "python.mk").read_text(encoding="utf-8")
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    installs = internal_installs(python_mk + dockerfile)
    assert len(installs) == 3, installs  # make venv, the image, the rotation image
    assert all("--require-hashes" in i for i in installs), installs


def test_a_stale_internal_hash_is_named_with_its_fix(tmp_path: Path) -> None:
    """The check fails on a wheel that is not the recorded one, and on a version mismatch."""
    text = "pavedroad-secrets==0.2.0 \\\n    --hash=sha256:" + "0" * 64 + "\n"
    (tmp_path / "pavedroad_secrets-0.2.0-py3-none-any.whl").write_bytes(b"a wheel")
    found = internal_hashes.wheel_hashes(tmp_path)
    assert internal_hashes.with_hashes(text, found) != text
    with pytest.raises(internal_hashes.HashError, match=r"pins pavedroad-secrets==0.1.0 but"):
        internal_hashes.with_hashes(text.replace("0.2.0", "0.1.0"), found)
    run = "RUN pip install --require-hashes -r requirements.lock \\\n && pip install -r secrets.txt"
    assert [c for c in internal_installs(run) if "--require-hashes" not in c] == [
        " pip install -r secrets.txt"
    ]


@pytest.mark.slow
def test_the_wheel_build_is_byte_reproducible(
    wheelhouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second build, later and with another SOURCE_DATE_EPOCH exported, gives the same bytes,
    so the recorded hashes hold for every build of this commit; `make wheels` builds the same."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    again = build_library_wheels(tmp_path)
    assert {w.name: w.read_bytes() for w in again} == {
        w.name: w.read_bytes() for w in sorted(wheelhouse.glob("pavedroad_*.whl"))
    }
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    start = makefile.index("define build_wheels")
    recipe = makefile[start : makefile.index("endef", start)]
    builds = [line for line in recipe.splitlines() if "-m build" in line]
    assert builds and all(
        line.startswith(f"SOURCE_DATE_EPOCH={internal_hashes.SOURCE_DATE_EPOCH} ")
        for line in builds
    ), builds
