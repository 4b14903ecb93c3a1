"""tools/versions.toml: every tool pinned exactly, once, and in agreement with its go.mod."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tools import bootstrap

TOOLS = Path(bootstrap.__file__).resolve().parent
SEMVER = re.compile(r"^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
PYPI_VERSION = re.compile(r"^\d+(\.\d+)+$")


def go_entries(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(manifest["go"])


def test_sections_present(manifest: dict[str, Any]) -> None:
    assert {"go", "pypi", "debian", "schemas"} <= set(manifest)


@pytest.mark.parametrize("section", ["go", "pypi"])
def test_every_tool_pinned_exactly(manifest: dict[str, Any], section: str) -> None:
    entries = go_entries(manifest) if section == "go" else bootstrap.pypi_entries(manifest)
    assert entries, f"[{section}] is empty"
    pattern = SEMVER if section == "go" else PYPI_VERSION
    loose = {
        name: spec.get("version")
        for name, spec in entries.items()
        if not pattern.match(str(spec.get("version", "")))
    }
    assert not loose, f"[{section}] versions must be exact ({pattern.pattern}): {loose}"


def test_go_entries_are_complete(manifest: dict[str, Any]) -> None:
    for name, spec in go_entries(manifest).items():
        assert spec.get("package"), f"[go.{name}] has no package"
        unknown = set(spec) - {
            "package",
            "version",
            "bin",
            "ldflags",
            "module_dir",
            "version_args",
            "version_of",
        }
        assert not unknown, f"[go.{name}] has unknown keys {unknown}"


def test_pypi_hashes_are_sha256(manifest: dict[str, Any]) -> None:
    for name, spec in bootstrap.pypi_entries(manifest).items():
        if "sha256" in spec:
            assert re.fullmatch(r"[0-9a-f]{64}", spec["sha256"]), f"[pypi.{name}] sha256"


def test_no_duplicate_tools_or_executables(manifest: dict[str, Any]) -> None:
    names = Counter([*go_entries(manifest), *bootstrap.pypi_entries(manifest)])
    executables = Counter(
        [bootstrap.go_bin_name(n, s) for n, s in go_entries(manifest).items()]
        + [b for s in bootstrap.pypi_entries(manifest).values() for b in s.get("bins", [])]
        + list(manifest["debian"].get("links", {}))
    )
    packages = Counter(manifest["debian"]["packages"])
    crd_modules = Counter(s["module"] for s in manifest["schemas"]["crds"].values())
    for what, counter in [
        ("tool", names),
        ("executable", executables),
        ("Debian package", packages),
        ("CRD module", crd_modules),
    ]:
        dups = [k for k, n in counter.items() if n > 1]
        assert not dups, f"duplicate {what} in tools/versions.toml: {dups}"


def test_debian_packages_carry_no_version(manifest: dict[str, Any]) -> None:
    # Debian 12 and 13 ship different versions: pin to the release, not to a version string.
    pinned = [p for p in manifest["debian"]["packages"] if "=" in p]
    assert not pinned


def test_schema_sources_pinned(manifest: dict[str, Any]) -> None:
    schemas = manifest["schemas"]
    assert SEMVER.match(schemas["kubernetes"]["version"])
    for name, spec in schemas["crds"].items():
        assert SEMVER.match(spec["version"]), f"[schemas.crds.{name}] version"
        assert spec["files"] and spec["kinds"], f"[schemas.crds.{name}] needs files and kinds"


def test_module_dir_go_mod_agrees_with_manifest(manifest: dict[str, Any]) -> None:
    """A tool built in its own module: the go.mod must require the pinned version."""
    with_module = {n: s for n, s in go_entries(manifest).items() if "module_dir" in s}
    assert with_module, "expected at least one tool built in tools/go/<name>/ (promtool)"
    for name, spec in with_module.items():
        mod_dir = TOOLS / spec["module_dir"]
        go_mod, go_sum = mod_dir / "go.mod", mod_dir / "go.sum"
        assert go_mod.is_file() and go_sum.is_file(), f"{mod_dir} needs go.mod and go.sum"
        pinned_by = spec.get("version_of", spec["package"])
        require = bootstrap.module_require(go_mod, pinned_by)
        assert require is not None, f"{go_mod} does not require the module of {pinned_by}"
        assert require[1] == spec["version"], (
            f"{go_mod} requires {require[0]} {require[1]}, tools/versions.toml pins "
            f"[go.{name}] version = {spec['version']}: change both together"
        )
        if "version_of" in spec:  # the program is the module's own (generated) main package
            assert re.search(
                rf"^module\s+{re.escape(spec['package'])}\s*$", go_mod.read_text(), re.MULTILINE
            ), f"{go_mod} is not module {spec['package']}"
        else:
            assert re.search(
                rf"^(tool\s+|\s+){re.escape(spec['package'])}\s*$", go_mod.read_text(), re.MULTILINE
            ), f"{go_mod} lacks `tool {spec['package']}`"
        assert f"{require[0]} {require[1]} h1:" in go_sum.read_text(), f"{go_sum} lacks {require}"


def test_every_module_dir_is_in_the_manifest(manifest: dict[str, Any]) -> None:
    used = {TOOLS / s["module_dir"] for s in go_entries(manifest).values() if "module_dir" in s}
    present = {p.parent for p in (TOOLS / "go").glob("*/go.mod")}
    assert present <= used, f"modules not referenced by tools/versions.toml: {present - used}"


def test_pypi_constraints_agree_with_manifest(manifest: dict[str, Any]) -> None:
    shared = manifest["pypi"].get("constraints")
    assert shared, "[pypi] constraints: transitive dependencies must be pinned too"
    groups = [(shared, bootstrap.shared_pypi_entries(manifest))]
    for name, spec in bootstrap.isolated_pypi_entries(manifest).items():
        assert spec.get("constraints"), f"[pypi.{name}] has its own venv: it needs constraints"
        groups.append((spec["constraints"], {name: spec}))
    for constraints, entries in groups:
        pins: dict[str, str] = {}
        for line in (TOOLS / constraints).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, version = line.partition("==")
                assert version, f"{constraints}: {line!r} is not pinned with =="
                pins[re.sub(r"[-_.]+", "-", name).lower()] = version
        for name, spec in entries.items():
            key = re.sub(r"[-_.]+", "-", name).lower()
            assert pins.get(key) == spec["version"], (
                f"{constraints} pins {name}=={pins.get(key)}, the manifest {spec['version']}"
            )


def test_go_ldflags_expand_the_version(manifest: dict[str, Any]) -> None:
    spec = {"version": "v1.2.3", "ldflags": "-X a.b={version} -X c.d={semver}"}
    assert bootstrap.go_ldflags(spec) == "-s -w -X a.b=v1.2.3 -X c.d=1.2.3"
    for name, spec in go_entries(manifest).items():
        assert "{" not in bootstrap.go_ldflags(spec), f"[go.{name}] ldflags placeholder"


def test_bin_names() -> None:
    assert (
        bootstrap.go_bin_name("gitleaks", {"package": "github.com/zricethezav/gitleaks/v8"})
        == "gitleaks"
    )
    assert bootstrap.go_bin_name("helm", {"package": "helm.sh/helm/v3/cmd/helm"}) == "helm"
    assert bootstrap.go_bin_name("x", {"package": "a/b", "bin": "y"}) == "y"
