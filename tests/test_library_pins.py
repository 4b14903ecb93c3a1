"""The template pins each internal library at the version its source in libs/ builds.

The generated service installs the libraries by exact version from the wheelhouse (the
company index in production); a pin that names a version the wheelhouse does not hold fails
only deep in the generated CI, so it is checked here, in milliseconds.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.harness import REPO_ROOT

PROJECT = REPO_ROOT / "template" / "<{ cookiecutter.project_slug }>"
LIBRARIES = {"pavedroad-observability": "observability", "pavedroad-secrets": "secrets"}


def _version(folder: str) -> str:
    text = (REPO_ROOT / "libs" / folder / "pyproject.toml").read_text(encoding="utf-8")
    version: str = tomllib.loads(text)["project"]["version"]
    return version


@pytest.mark.parametrize("pinned_in", ["requirements-internal.txt", "pyproject.toml"])
@pytest.mark.parametrize("name", sorted(LIBRARIES))
def test_the_template_pins_the_library_version_in_libs(pinned_in: str, name: str) -> None:
    text = (PROJECT / pinned_in).read_text(encoding="utf-8")
    pins = re.findall(rf"^\s*\"?{re.escape(name)}(?:\[[^\]]*\])?==([^\s\",]+)", text, re.M)
    assert pins, f"{pinned_in} does not pin {name}"
    expected = _version(LIBRARIES[name])
    assert set(pins) == {expected}, (
        f"{pinned_in} pins {name}=={', '.join(sorted(set(pins)))} but libs/"
        f"{LIBRARIES[name]}/pyproject.toml is {expected}: change the pin with the version"
    )
