"""The distribution builds, passes `twine check`, and ships what it promises."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

LIB_ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(LIB_ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(out.glob("pavedroad_secrets-*.whl"))
    sdist = next(out.glob("pavedroad_secrets-*.tar.gz"))
    return {"wheel": wheel, "sdist": sdist}


def test_twine_check_passes(dists: dict[str, Path]) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            str(dists["wheel"]),
            str(dists["sdist"]),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_wheel_is_a_namespace_portion_with_types(dists: dict[str, Path]) -> None:
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = set(wheel.namelist())
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = wheel.read(metadata).decode()
        entry_points = wheel.read(metadata.replace("METADATA", "entry_points.txt")).decode()
    assert "pavedroad/__init__.py" not in names  # shared with pavedroad-observability
    assert "pavedroad/secrets/__init__.py" in names
    assert "pavedroad/secrets/py.typed" in names
    assert "Version: 0.2.0" in text
    for extra in ("aws", "vault", "postgres"):
        assert f"Provides-Extra: {extra}" in text
    assert "pavedroad-secrets = pavedroad.secrets.cli:main" in entry_points
    assert not any(name.startswith("tests/") for name in names)


def test_sdist_carries_tests_readme_and_changelog(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for expected in ("README.md", "CHANGELOG.md", "pyproject.toml", "tests/conftest.py"):
        assert expected in names
