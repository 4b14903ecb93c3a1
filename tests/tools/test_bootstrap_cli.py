"""tools/bootstrap.py as a command: --check, --print-env, --only, against scratch manifests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools import bootstrap

BOOTSTRAP = Path(bootstrap.__file__).resolve()


def run_bootstrap(tmp_path: Path, manifest: str, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "versions.toml"
    path.write_text(manifest)
    env = dict(
        os.environ,
        PAVEDROAD_TOOLS_DIR=str(tmp_path / "tools"),
        PAVEDROAD_CACHE=str(tmp_path / "cache"),
    )
    return subprocess.run(
        [sys.executable, str(BOOTSTRAP), "--manifest", str(path), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


FAKE_GO_TOOL = """
[go.faketool]
package = "example.com/faketool/cmd/faketool"
version = "v1.2.3"
"""

needs_go = pytest.mark.skipif(shutil.which("go") is None, reason="the bootstrap needs Go")


@needs_go
def test_check_lists_what_is_missing_and_installs_nothing(tmp_path: Path) -> None:
    result = run_bootstrap(tmp_path, FAKE_GO_TOOL, "--check")
    assert result.returncode == 1
    assert "faketool" in result.stderr and "v1.2.3" in result.stderr
    assert "MISSING" in result.stdout
    assert not (tmp_path / "tools" / "bin").exists(), "--check must not install anything"
    assert not (tmp_path / "cache").exists(), "--check must not build anything"


@needs_go
def test_check_reports_a_tool_at_another_version(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    (tools / "bin").mkdir(parents=True)
    (tools / "bin" / "faketool").write_text("#!/bin/sh\n")
    (tools / "bin" / "faketool").chmod(0o755)
    (tools / "state").mkdir()
    (tools / "state" / "go-faketool.json").write_text('{"key": "old", "version": "v1.0.0"}')
    result = run_bootstrap(tmp_path, FAKE_GO_TOOL, "--check")
    assert result.returncode == 1
    assert "faketool is v1.0.0, pinned v1.2.3" in result.stderr


@needs_go
def test_check_reads_the_version_from_the_binary(tmp_path: Path) -> None:
    """A stamp that claims the pinned version is not enough: --check reads the Go build info."""
    manifest = bootstrap.load_manifest_text(FAKE_GO_TOOL)
    layout = bootstrap.Layout(tmp_path / "tools", tmp_path / "cache")
    ctx = bootstrap.Context(layout, manifest)
    tool = bootstrap.GoTool("faketool", manifest["go"]["faketool"])
    (layout.bin).mkdir(parents=True)
    (layout.bin / "faketool").write_text("#!/bin/sh\n")
    (layout.bin / "faketool").chmod(0o755)
    bootstrap.write_stamp(layout, "go-faketool", {"key": tool.key(ctx), "version": "v1.2.3"})
    assert tool.check(ctx) is None  # the quick check trusts the stamp
    result = run_bootstrap(tmp_path, FAKE_GO_TOOL, "--check")
    assert result.returncode == 1
    assert "carries no Go build information" in result.stderr


def test_check_passes_when_everything_is_present(tmp_path: Path) -> None:
    if shutil.which("dpkg-query") is None:
        pytest.fail("this project's machines run Debian: dpkg-query is missing")
    result = run_bootstrap(tmp_path, '[debian]\npackages = ["dpkg"]\n', "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all 1 items present" in result.stdout


def test_only_rejects_unknown_names(tmp_path: Path) -> None:
    result = run_bootstrap(tmp_path, FAKE_GO_TOOL, "--only", "nosuchtool")
    assert result.returncode == 1
    assert "unknown --only name(s): nosuchtool" in result.stderr
    assert "faketool" in result.stderr  # lists the known names


@needs_go
def test_failure_names_the_tool_and_the_command(tmp_path: Path) -> None:
    manifest = """
[go.broken]
package = "example.invalid/nothing/cmd/broken"
version = "v0.0.1"
"""
    result = run_bootstrap(tmp_path, manifest, "--only", "broken")
    assert result.returncode == 1
    assert "FAILED: broken:" in result.stderr
    assert (
        "command: " in result.stderr
        and "example.invalid/nothing/cmd/broken@v0.0.1" in result.stderr
    )


def test_print_env(tmp_path: Path) -> None:
    result = run_bootstrap(tmp_path, '[schemas.kubernetes]\nversion = "v1.35.4"\n', "--print-env")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    tools = tmp_path / "tools"
    assert f"export PAVEDROAD_TOOLS_DIR={tools}" in lines
    assert f"export PAVEDROAD_SCHEMAS={tools / 'schemas'}" in lines
    assert "export PAVEDROAD_KUBERNETES_VERSION=1.35.4" in lines
    assert f'export PATH={tools / "bin"}:"$PATH"' in lines


def test_select_by_section_and_alias() -> None:
    manifest = bootstrap.load_manifest_text(
        FAKE_GO_TOOL + '[pypi.yamllint]\nversion = "1.0"\nbins = ["yamllint"]\n'
    )
    items = bootstrap.build_items(manifest)
    assert [i.name for i in bootstrap.select(items, ["go"])] == ["faketool"]
    assert [i.name for i in bootstrap.select(items, ["yamllint"])] == ["pypi"]
    assert [i.name for i in bootstrap.select(items, ["faketool", "pypi"])] == ["pypi", "faketool"]


def test_module_require_picks_the_longest_prefix(tmp_path: Path) -> None:
    go_mod = tmp_path / "go.mod"
    go_mod.write_text(
        "module x\n\ngo 1.26\n\nrequire (\n\tgithub.com/a/b v1.0.0 // indirect\n"
        "\tgithub.com/a/b/sub v0.3.0\n)\n\nrequire github.com/c/d v2.0.0\n"
    )
    assert bootstrap.module_require(go_mod, "github.com/a/b/sub/cmd/x") == (
        "github.com/a/b/sub",
        "v0.3.0",
    )
    assert bootstrap.module_require(go_mod, "github.com/a/b/cmd/y") == ("github.com/a/b", "v1.0.0")
    assert bootstrap.module_require(go_mod, "github.com/c/d") == ("github.com/c/d", "v2.0.0")
    assert bootstrap.module_require(go_mod, "github.com/e/f") is None
