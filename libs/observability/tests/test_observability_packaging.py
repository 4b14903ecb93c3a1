"""The distribution builds, passes ``twine check``, and ships what it promises."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["version"]

pytestmark = pytest.mark.slow


def _build(outdir: Path, *targets: str) -> None:
    # --no-isolation: build with the hatchling from the test environment, so the test does not
    # need to reach a package index.
    args = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(outdir)]
    args += [f"--{target}" for target in targets]
    subprocess.run([*args, str(PROJECT)], check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("dist")
    _build(outdir, "sdist", "wheel")
    return outdir


def test_build_produces_a_wheel_and_an_sdist_that_pass_twine_check(dist: Path) -> None:
    wheels = list(dist.glob(f"pavedroad_observability-{VERSION}-py3-none-any.whl"))
    sdists = list(dist.glob(f"pavedroad_observability-{VERSION}.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, wheels + sdists)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_wheel_is_a_namespace_package_with_type_information(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "pavedroad/__init__.py" not in names  # shared namespace with pavedroad-secrets
    assert "pavedroad/observability/__init__.py" in names
    assert "pavedroad/observability/py.typed" in names
    assert not [name for name in names if "/tests/" in name or name.startswith("tests/")]
    metadata = (
        zipfile.ZipFile(wheel)
        .read(f"pavedroad_observability-{VERSION}.dist-info/METADATA")
        .decode()
    )
    assert "Name: pavedroad-observability" in metadata
    assert f"Version: {VERSION}" in metadata
    assert "Requires-Python: >=3.11" in metadata
    assert "Classifier: Typing :: Typed" in metadata
    for extra in ("fastapi", "grpc", "test"):
        assert f"Provides-Extra: {extra}" in metadata
    assert "Description-Content-Type: text/markdown" in metadata


def test_sdist_contains_sources_tests_and_docs(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "CHANGELOG.md"} <= names
    assert "src/pavedroad/observability/py.typed" in names
    assert "tests/conftest.py" in names
    assert "tools/settings_readme.py" in names  # the README test runs it


def test_wheel_build_is_reproducible(tmp_path: Path, dist: Path) -> None:
    (first,) = dist.glob("*.whl")
    _build(tmp_path, "wheel")
    (second,) = tmp_path.glob("*.whl")
    digest = [hashlib.sha256(path.read_bytes()).hexdigest() for path in (first, second)]
    assert digest[0] == digest[1]
