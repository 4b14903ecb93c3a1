#!/usr/bin/env python3
"""Install pavedroad's pinned toolchain (tools/versions.toml) into a project-local directory.

Idempotent: a tool already present at its pinned version is left alone, so a re-run takes seconds.
Built binaries, the Go module and build caches, the PyPI virtualenv and the generated schemas live
in a content cache outside the repository, keyed by tool, version and Go version, so that a fresh
clone elsewhere on the same machine installs from it in seconds.

    python3 tools/bootstrap.py                 install everything (make bootstrap)
    python3 tools/bootstrap.py --only helm opa install some (tool names or go/pypi/debian/schemas)
    python3 tools/bootstrap.py --check         verify everything is present; exit 1 listing the rest
    python3 tools/bootstrap.py --print-env     print `export` lines for shells and Makefiles

Layout (see docs/toolchain.md):
    $PAVEDROAD_TOOLS_DIR (default <repo>/.tools)
        bin/      every executable (Go tools, links to PyPI tools and PostgreSQL server programs)
        venv      the PyPI virtualenv (a link into the cache)
        schemas/  kubeconform schemas: kubernetes/<version>-standalone-strict/, crds/<group>/
        state/    one stamp per installed item, naming what was installed
    $PAVEDROAD_CACHE (default $HOME/.cache/pavedroad)
        go/mod, go/build           GOMODCACHE and GOCACHE
        go-bin/<tool>/<key>/       built binaries
        venvs/<key>/               PyPI virtualenvs
        schemas/<key>/             generated schemas

Standard library only (Python 3.11+).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOOLS_SRC = Path(__file__).resolve().parent
REPO_ROOT = TOOLS_SRC.parent
MANIFEST = TOOLS_SRC / "versions.toml"
SCHEMAS_SCRIPT = TOOLS_SRC / "schemas.py"
HEARTBEAT_SECONDS = 20.0
SECTIONS = ("debian", "pypi", "schemas", "go")


class BootstrapError(Exception):
    """A step failed; the message names the tool and the command."""

    def __init__(
        self, tool: str, message: str, command: list[str] | str | None = None, output: str = ""
    ) -> None:
        self.tool = tool
        self.command = command
        self.output = output
        cmd = command if isinstance(command, str) or command is None else shlex.join(command)
        text = f"{tool}: {message}"
        if cmd:
            text += f"\n  command: {cmd}"
        super().__init__(text)


# ----------------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Layout:
    tools: Path
    cache: Path

    @classmethod
    def from_env(cls) -> Layout:
        tools = Path(os.environ.get("PAVEDROAD_TOOLS_DIR") or REPO_ROOT / ".tools")
        cache_env = os.environ.get("PAVEDROAD_CACHE")
        cache = Path(cache_env) if cache_env else Path.home() / ".cache" / "pavedroad"
        return cls(tools.expanduser().absolute(), cache.expanduser().absolute())

    @property
    def bin(self) -> Path:
        return self.tools / "bin"

    @property
    def venv(self) -> Path:
        return self.tools / "venv"

    @property
    def schemas(self) -> Path:
        return self.tools / "schemas"

    @property
    def state(self) -> Path:
        return self.tools / "state"

    @property
    def gomodcache(self) -> Path:
        return self.cache / "go" / "mod"

    @property
    def gocache(self) -> Path:
        return self.cache / "go" / "build"

    def stamp(self, name: str) -> Path:
        return self.state / f"{name}.json"


def read_stamp(layout: Layout, name: str) -> dict[str, Any] | None:
    try:
        data = json.loads(layout.stamp(name).read_text())
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def write_stamp(layout: Layout, name: str, data: dict[str, Any]) -> None:
    layout.state.mkdir(parents=True, exist_ok=True)
    tmp = layout.stamp(name).with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, layout.stamp(name))


def short_hash(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:16]


# ----------------------------------------------------------------------------------- output


class Log:
    """Progress lines: one per tool and step, with timings."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self._lock = threading.Lock()

    def line(self, text: str) -> None:
        with self._lock:
            print(text, flush=True)

    def item(self, tool: str, status: str, detail: str = "", seconds: float | None = None) -> None:
        took = f" ({seconds:.1f}s)" if seconds is not None else ""
        self.line(f"[bootstrap] {tool:<24} {status:<12}{took} {detail}".rstrip())


LOG = Log()


def run(
    tool: str,
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    what: str = "",
    quiet: bool = True,
    progress: Callable[[str], str | None] | None = None,
) -> str:
    """Run a command; stream or summarise its output; raise BootstrapError naming tool and cmd.

    Output lines are collected. Without `quiet` every line is printed; with it, a heartbeat line is
    printed every HEARTBEAT_SECONDS while the command runs (with `progress(line)` summarising the
    latest line), so that long steps stay visible. On failure the tail of the output is shown.
    """
    started = time.monotonic()
    lines: list[str] = []
    latest: list[str] = [""]
    try:
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            bufsize=1,
        )
    except OSError as exc:
        raise BootstrapError(tool, f"cannot start {what or cmd[0]}: {exc}", cmd) from exc

    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(HEARTBEAT_SECONDS):
            elapsed = time.monotonic() - started
            summary = progress(latest[0]) if progress and latest[0] else None
            extra = f", {summary}" if summary else ""
            LOG.line(
                f"[bootstrap] {tool:<24} ...still {what or 'running'} "
                f"({elapsed:.0f}s, {len(lines)} lines of output{extra})"
            )

    beat = threading.Thread(target=heartbeat, daemon=True) if quiet else None
    if beat:
        beat.start()
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            text = raw.rstrip("\n")
            lines.append(text)
            latest[0] = text
            if not quiet:
                LOG.line(f"    {tool}: {text}")
        rc = proc.wait()
    except KeyboardInterrupt:
        proc.kill()
        raise
    finally:
        done.set()
    if rc != 0:
        tail = "\n".join(f"    | {line}" for line in lines[-60:])
        raise BootstrapError(
            tool,
            f"{what or 'command'} failed with exit code {rc}\n{tail}",
            cmd,
            output="\n".join(lines),
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- files


def link_or_copy(src: Path, dst: Path) -> None:
    """Put src at dst atomically: hard link when on the same filesystem, else copy."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.parent / f".{dst.name}.tmp{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copy2(src, tmp)
    os.replace(tmp, dst)


def symlink(target: str | Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.is_symlink() and os.readlink(dst) == str(target):
        return
    tmp = dst.parent / f".{dst.name}.tmp{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    if dst.is_dir() and not dst.is_symlink():
        shutil.rmtree(dst)
    os.replace(tmp, dst)


def copy_tree_linked(src: Path, dst: Path) -> int:
    """Replace dst by a copy of src made of hard links (copies across filesystems)."""
    tmp = dst.parent / f".{dst.name}.tmp{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)

    def copy(s: str, d: str) -> str:
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)
        return d

    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, tmp, copy_function=copy, symlinks=True)
    old = dst.parent / f".{dst.name}.old{os.getpid()}"
    if dst.is_symlink() or dst.is_file():
        dst.unlink()
    elif dst.exists():
        os.replace(dst, old)
    os.replace(tmp, dst)
    dst.chmod(0o755)
    if old.exists():
        shutil.rmtree(old)
    return sum(1 for _ in dst.rglob("*.json"))


@contextlib.contextmanager
def cache_lock(layout: Layout) -> Iterator[None]:
    """Serialise bootstraps that share a cache (a developer's checkout and a CI clone)."""
    layout.cache.mkdir(parents=True, exist_ok=True)
    with open(layout.cache / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            LOG.line(f"[bootstrap] waiting for another bootstrap using {layout.cache}")
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


# ----------------------------------------------------------------------------------- manifest


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_manifest_text(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


def pypi_entries(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in manifest.get("pypi", {}).items() if isinstance(v, dict)}


def shared_pypi_entries(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The [pypi] entries that share .tools/venv (those without a `venv` of their own)."""
    return {k: v for k, v in pypi_entries(manifest).items() if "venv" not in v}


def isolated_pypi_entries(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The [pypi] entries with `venv = "<name>"`: each installed in a virtualenv of its own."""
    return {k: v for k, v in pypi_entries(manifest).items() if "venv" in v}


def go_bin_name(name: str, spec: dict[str, Any]) -> str:
    if "bin" in spec:
        return str(spec["bin"])
    parts = str(spec["package"]).rstrip("/").split("/")
    last = parts[-1]
    if re.fullmatch(r"v\d+", last) and len(parts) > 1:
        last = parts[-2]
    return last


def go_ldflags(spec: dict[str, Any]) -> str:
    version = spec["version"]
    extra = (
        spec.get("ldflags", "")
        .replace("{version}", version)
        .replace("{semver}", version.removeprefix("v"))
    )
    return " ".join(["-s", "-w", extra]).strip()


def module_require(go_mod: Path, package: str) -> tuple[str, str] | None:
    """(path, version) of the go.mod require whose path is the longest prefix of package."""
    best: tuple[str, str] | None = None
    text = go_mod.read_text()
    for match in re.finditer(
        r"^\s*(?:require\s+)?([\w./~-]+)\s+(v[^\s]+)(?:\s*//.*)?$", text, re.MULTILINE
    ):
        path, version = match.group(1), match.group(2)
        is_prefix = package == path or package.startswith(path + "/")
        if is_prefix and (best is None or len(path) > len(best[0])):
            best = (path, version)
    return best


# ----------------------------------------------------------------------------------- items


@dataclass
class Item:
    """One installable unit: a Go tool, the PyPI virtualenv, the Debian packages, the schemas."""

    name: str
    section: str
    aliases: set[str] = field(default_factory=set)

    def check(self, ctx: Context) -> str | None:
        """None when present at the pinned version, else what is missing."""
        raise NotImplementedError

    def install(self, ctx: Context) -> None:
        raise NotImplementedError

    def summary(self, ctx: Context) -> str:
        """What is installed, for the progress line of an item that is already present."""
        return "at pinned version"


@dataclass
class Context:
    layout: Layout
    manifest: dict[str, Any]
    manifest_path: Path = MANIFEST
    verbose: bool = False
    deep: bool = False
    _go_version: str | None = None

    def go_version(self) -> str:
        if self._go_version is None:
            go = shutil.which("go")
            if not go:
                raise BootstrapError(
                    "go",
                    "the Go toolchain is required (go on PATH); install Go 1.26 or newer",
                    "go env GOVERSION",
                )
            out = subprocess.run(
                [go, "env", "GOVERSION"], capture_output=True, text=True, env=self.go_env()
            )
            if out.returncode != 0:
                raise BootstrapError("go", out.stderr.strip(), "go env GOVERSION")
            self._go_version = out.stdout.strip()
        return self._go_version

    def go_env(self, gobin: Path | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "GOMODCACHE": str(self.layout.gomodcache),
                "GOCACHE": str(self.layout.gocache),
                "CGO_ENABLED": "0",
                "GOTOOLCHAIN": "local",
                "GOWORK": "off",
                "GOFLAGS": "-buildvcs=false",
            }
        )
        if gobin is not None:
            env["GOBIN"] = str(gobin)
        return env


class GoTool(Item):
    def __init__(self, name: str, spec: dict[str, Any]) -> None:
        super().__init__(name, "go")
        self.spec = spec
        self.bin = go_bin_name(name, spec)
        self.aliases = {self.bin}

    def module_dir(self) -> Path | None:
        rel = self.spec.get("module_dir")
        return TOOLS_SRC / rel if rel else None

    def key(self, ctx: Context) -> str:
        parts: list[str | bytes] = [
            self.spec["package"],
            self.spec["version"],
            ctx.go_version(),
            go_ldflags(self.spec),
        ]
        mod = self.module_dir()
        if mod:
            parts += [(mod / "go.mod").read_bytes(), (mod / "go.sum").read_bytes()]
        return f"{self.spec['version']}-{ctx.go_version()}-{short_hash(*parts)}"

    def cached(self, ctx: Context) -> Path:
        return ctx.layout.cache / "go-bin" / self.name / self.key(ctx) / self.bin

    def check(self, ctx: Context) -> str | None:
        target = ctx.layout.bin / self.bin
        stamp = read_stamp(ctx.layout, f"go-{self.name}")
        if not target.is_file() or not os.access(target, os.X_OK):
            return f"{self.bin} {self.spec['version']} not installed"
        if not stamp or stamp.get("key") != self.key(ctx):
            have = stamp.get("version", "?") if stamp else "unknown version"
            return f"{self.bin} is {have}, pinned {self.spec['version']} ({ctx.go_version()})"
        if ctx.deep:
            return self.verify_buildinfo(ctx, target)
        return None

    def verify_buildinfo(self, ctx: Context, target: Path) -> str | None:
        """Read the module version that the Go linker recorded in the binary itself."""
        out = subprocess.run(
            [shutil.which("go") or "go", "version", "-m", str(target)],
            capture_output=True,
            text=True,
            env=ctx.go_env(),
        )
        package = self.spec.get("version_of", self.spec["package"])
        best: tuple[str, str] | None = None
        for line in out.stdout.splitlines():
            cols = line.split()
            if len(cols) < 3 or cols[0] not in ("mod", "dep"):
                continue
            is_prefix = package == cols[1] or package.startswith(cols[1] + "/")
            if is_prefix and (best is None or len(cols[1]) > len(best[0])):
                best = (cols[1], cols[2])
        if best is None:
            return f"{target} carries no Go build information for {package}"
        if best[1] != self.spec["version"]:
            return f"{target} was built from {best[0]}@{best[1]}, pinned {self.spec['version']}"
        return None

    def summary(self, ctx: Context) -> str:
        return f"{self.spec['version']} ({ctx.go_version()})"

    def install(self, ctx: Context) -> None:
        version = self.spec["version"]
        cached = self.cached(ctx)
        started = time.monotonic()
        if cached.is_file():
            link_or_copy(cached, ctx.layout.bin / self.bin)
            LOG.item(
                self.name, "cached", f"{version} from {cached.parent}", time.monotonic() - started
            )
        else:
            self.build(ctx, cached)
            link_or_copy(cached, ctx.layout.bin / self.bin)
        write_stamp(
            ctx.layout,
            f"go-{self.name}",
            {
                "key": self.key(ctx),
                "version": version,
                "package": self.spec["package"],
                "go": ctx.go_version(),
                "bin": self.bin,
            },
        )
        self.report_version(ctx)

    def build(self, ctx: Context, cached: Path) -> None:
        go = shutil.which("go") or "go"
        version = self.spec["version"]
        package = self.spec["package"]
        staging = Path(
            tempfile.mkdtemp(prefix=f".{self.name}-", dir=ensure_dir(cached.parent.parent))
        )
        try:
            mod = self.module_dir()
            cmd = [go, "install", "-v", "-trimpath", f"-ldflags={go_ldflags(self.spec)}"]
            if mod:
                # version_of: a program generated into the module itself (the Collector
                # Builder's output) is pinned by the version it requires of that module.
                pinned_by = self.spec.get("version_of", package)
                require = module_require(mod / "go.mod", pinned_by)
                if not require or require[1] != version:
                    raise BootstrapError(
                        self.name,
                        f"{mod / 'go.mod'} requires "
                        f"{require[1] if require else 'nothing'} for {pinned_by}, "
                        f"but tools/versions.toml pins {version}",
                    )
                cmd += ["-mod=readonly", package]
                where = f"in {mod.relative_to(REPO_ROOT) if mod.is_relative_to(REPO_ROOT) else mod}"
            else:
                cmd.append(f"{package}@{version}")
                where = "from the Go module proxy"
            LOG.item(
                self.name,
                "building",
                f"{package}@{version} {where} with {ctx.go_version()} "
                f"(cold builds take minutes; progress every {HEARTBEAT_SECONDS:.0f}s)",
            )
            started = time.monotonic()

            def progress(line: str) -> str | None:
                return f"at {line.strip()[:80]}" if line.strip() else None

            run(
                self.name,
                cmd,
                env=ctx.go_env(gobin=staging),
                cwd=mod or staging,
                what=f"building {self.name}",
                quiet=not ctx.verbose,
                progress=progress,
            )
            # go install names the program after its package; `bin` may rename it (ocb).
            produced = go_bin_name(self.name, {"package": package})
            built = staging / produced
            if not built.is_file():
                raise BootstrapError(
                    self.name, f"go install produced no {produced} in {staging}", cmd
                )
            cached.parent.mkdir(parents=True, exist_ok=True)
            os.replace(built, cached)
            LOG.item(
                self.name,
                "built",
                f"{version}, {cached.stat().st_size / 1e6:.0f} MB",
                time.monotonic() - started,
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def report_version(self, ctx: Context) -> None:
        args = self.spec.get("version_args")
        if not args:
            return
        try:
            out = subprocess.run(
                [str(ctx.layout.bin / self.bin), *args],
                capture_output=True,
                text=True,
                timeout=30,
                stdin=subprocess.DEVNULL,
            )
            text = (out.stdout or out.stderr).strip().splitlines()
            LOG.item(self.name, "version", " ".join(" ".join(text[:3]).split())[:150])
        except (OSError, subprocess.SubprocessError) as exc:
            LOG.item(self.name, "version", f"could not run {self.bin} {' '.join(args)}: {exc}")


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


class PyPITools(Item):
    """All PyPI tools in one virtualenv; the virtualenv lives in the cache, keyed by content."""

    def __init__(self, manifest: dict[str, Any], isolated: str | None = None) -> None:
        """The shared virtualenv, or with `isolated` (an entry with `venv = "<name>"`) that
        entry alone in .tools/venvs/<name>, with its own `constraints` file if it names one."""
        if isolated is None:
            self.entries = shared_pypi_entries(manifest)
            name = "pypi"
            constraints = manifest.get("pypi", {}).get("constraints")
        else:
            spec = pypi_entries(manifest)[isolated]
            self.entries = {isolated: spec}
            name = f"pypi-{spec['venv']}"
            constraints = spec.get("constraints")
        super().__init__(name, "pypi", set(self.entries))
        self.isolated = isolated
        self.constraints = TOOLS_SRC / constraints if constraints else None

    def venv_link(self, ctx: Context) -> Path:
        if self.isolated is None:
            return ctx.layout.venv
        return ctx.layout.tools / "venvs" / str(self.entries[self.isolated]["venv"])

    def key(self) -> str:
        interpreter = getattr(sys, "_base_executable", sys.executable)
        parts: list[str | bytes] = [
            json.dumps(self.entries, sort_keys=True),
            sys.version,
            os.path.realpath(interpreter),
        ]
        if self.constraints and self.constraints.is_file():
            parts.append(self.constraints.read_bytes())
        return f"py{sys.version_info[0]}{sys.version_info[1]}-{short_hash(*parts)}"

    def cached(self, ctx: Context) -> Path:
        return ctx.layout.cache / "venvs" / self.key()

    def bins(self) -> list[str]:
        return [b for spec in self.entries.values() for b in spec.get("bins", [])]

    def check(self, ctx: Context) -> str | None:
        venv = self.venv_link(ctx)
        missing = [b for b in self.bins() if not os.access(ctx.layout.bin / b, os.X_OK)]
        if not (venv / "bin" / "python").exists():
            return f"virtualenv {venv} missing"
        if missing:
            return "not linked into bin/: " + ", ".join(missing)
        stamp = read_stamp(ctx.layout, self.name)
        if not stamp or stamp.get("key") != self.key():
            return "virtualenv is not at the pinned versions"
        if not (venv / ".pavedroad-complete").is_file():
            return "virtualenv incomplete"
        return None

    def summary(self, ctx: Context) -> str:
        stamp = read_stamp(ctx.layout, self.name) or {}
        versions = stamp.get("versions", {})
        return ", ".join(f"{n}=={v}" for n, v in versions.items())

    def installed_versions(self, python: Path) -> dict[str, str | None]:
        code = (
            "import importlib.metadata as m, json, sys\n"
            "out = {}\n"
            "for n in sys.argv[1:]:\n"
            "    try: out[n] = m.version(n)\n"
            "    except m.PackageNotFoundError: out[n] = None\n"
            "print(json.dumps(out))"
        )
        out = subprocess.run(
            [str(python), "-c", code, *self.entries], capture_output=True, text=True
        )
        if out.returncode != 0:
            return {n: None for n in self.entries}
        versions: dict[str, str | None] = json.loads(out.stdout)
        return versions

    def install(self, ctx: Context) -> None:
        venv = self.cached(ctx)
        started = time.monotonic()
        if (venv / ".pavedroad-complete").is_file():
            LOG.item(self.name, "cached", f"virtualenv {venv}", time.monotonic() - started)
        else:
            self.build(ctx, venv)
        symlink(venv, self.venv_link(ctx))
        for b in self.bins():
            if not (venv / "bin" / b).exists():
                raise BootstrapError(self.name, f"console script {b} not found in {venv}/bin")
            target = os.path.relpath(self.venv_link(ctx) / "bin" / b, ctx.layout.bin)
            symlink(target, ctx.layout.bin / b)
        versions = self.installed_versions(venv / "bin" / "python")
        wrong = {n: v for n, v in versions.items() if v != self.entries[n]["version"]}
        if wrong:
            raise BootstrapError(self.name, f"installed versions differ from the manifest: {wrong}")
        for name, version in versions.items():
            LOG.item(name, "version", f"{version} (PyPI)")
        write_stamp(
            ctx.layout, self.name, {"key": self.key(), "venv": str(venv), "versions": versions}
        )

    def build(self, ctx: Context, venv: Path) -> None:
        if venv.exists():
            shutil.rmtree(venv)
        started = time.monotonic()
        LOG.item(self.name, "installing", f"virtualenv {venv} with {sys.executable}")
        run(self.name, [sys.executable, "-m", "venv", str(venv)], what="creating the virtualenv")
        python = str(venv / "bin" / "python")
        env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
        plain = {n: s for n, s in self.entries.items() if "sha256" not in s}
        hashed = {n: s for n, s in self.entries.items() if "sha256" in s}
        with tempfile.TemporaryDirectory() as tmp:
            if plain:
                req = Path(tmp) / "requirements.txt"
                req.write_text("".join(f"{n}=={s['version']}\n" for n, s in plain.items()))
                cmd = [python, "-m", "pip", "install", "--progress-bar", "off", "-r", str(req)]
                if self.constraints and self.constraints.is_file():
                    cmd += ["-c", str(self.constraints)]
                LOG.item(
                    self.name,
                    "downloading",
                    ", ".join(f"{n}=={s['version']}" for n, s in plain.items()),
                )
                run(
                    self.name,
                    cmd,
                    env=env,
                    what="pip install",
                    quiet=not ctx.verbose,
                    progress=lambda line: line.strip()[:80] or None,
                )
            for name, spec in hashed.items():
                req = Path(tmp) / f"{name}.txt"
                req.write_text(f"{name}=={spec['version']} --hash=sha256:{spec['sha256']}\n")
                LOG.item(name, "downloading", f"{name}=={spec['version']} (hash-pinned)")
                run(
                    name,
                    [
                        python,
                        "-m",
                        "pip",
                        "install",
                        "--progress-bar",
                        "off",
                        "--no-deps",
                        "--require-hashes",
                        "-r",
                        str(req),
                    ],
                    env=env,
                    what="pip install",
                    quiet=not ctx.verbose,
                    progress=lambda line: line.strip()[:80] or None,
                )
        (venv / ".pavedroad-complete").write_text(self.key() + "\n")
        LOG.item(
            self.name, "installed", f"{len(self.entries)} distributions", time.monotonic() - started
        )


class DebianPackages(Item):
    def __init__(self, manifest: dict[str, Any]) -> None:
        spec = manifest.get("debian", {})
        self.packages: list[str] = list(spec.get("packages", []))
        self.links: dict[str, str] = dict(spec.get("links", {}))
        self.no_autostart: list[str] = list(spec.get("no_autostart", []))
        super().__init__("debian", "debian", set(self.packages))

    def installed(self) -> dict[str, str | None]:
        if not shutil.which("dpkg-query"):
            return {p: None for p in self.packages}
        fmt = "-f=${Package}\t${db:Status-Abbrev}\t${Version}\n"
        out = subprocess.run(
            ["dpkg-query", "-W", fmt, *self.packages], capture_output=True, text=True
        )
        found: dict[str, str | None] = {p: None for p in self.packages}
        for line in out.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[1].startswith("ii") and parts[0] in found:
                found[parts[0]] = parts[2]
        return found

    @staticmethod
    def resolve_link(pattern: str) -> Path | None:
        def version_key(path: str) -> list[int | str]:
            return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", path)]

        matches = sorted(glob.glob(pattern), key=version_key)
        return Path(matches[-1]) if matches else None

    def check(self, ctx: Context) -> str | None:
        missing = [p for p, v in self.installed().items() if v is None]
        if missing:
            return "Debian packages not installed: " + " ".join(missing)
        bad_links = [
            n
            for n, pattern in self.links.items()
            if (target := self.resolve_link(pattern)) is None
            or os.path.realpath(ctx.layout.bin / n) != os.path.realpath(target)
        ]
        if bad_links:
            return "links missing in bin/: " + ", ".join(bad_links)
        return None

    def install(self, ctx: Context) -> None:
        started = time.monotonic()
        before = self.installed()
        missing = [p for p, v in before.items() if v is None]
        if missing:
            self.apt_install(ctx, missing)
        after = self.installed()
        still = [p for p, v in after.items() if v is None]
        if still:
            raise BootstrapError(
                "debian",
                "packages still not installed: " + " ".join(still),
                "apt-get install -y " + " ".join(still),
            )
        release = (
            Path("/etc/debian_version").read_text().strip()
            if Path("/etc/debian_version").exists()
            else "?"
        )
        LOG.item(
            "debian",
            "installed" if missing else "present",
            self.describe(release, after),
            time.monotonic() - started,
        )
        for name, pattern in self.links.items():
            target = self.resolve_link(pattern)
            if target is None:
                raise BootstrapError("debian", f"{pattern} matches nothing (for bin/{name})")
            symlink(target, ctx.layout.bin / name)
        write_stamp(ctx.layout, "debian", {"release": release, "versions": after})

    @staticmethod
    def describe(release: str, versions: dict[str, str | None]) -> str:
        return f"Debian {release}: " + ", ".join(f"{p} {v}" for p, v in versions.items())

    def summary(self, ctx: Context) -> str:
        stamp = read_stamp(ctx.layout, "debian") or {}
        return self.describe(stamp.get("release", "?"), self.installed())

    def apt_install(self, ctx: Context, missing: list[str]) -> None:
        if os.geteuid() != 0:
            raise BootstrapError(
                "debian",
                "Debian packages are missing and this is not root: run "
                "as root, or install them first",
                "apt-get install -y " + " ".join(missing),
            )
        if not shutil.which("apt-get"):
            raise BootstrapError(
                "debian",
                "apt-get not found: this bootstrap expects Debian",
                "apt-get install -y " + " ".join(missing),
            )
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        LOG.item("debian", "downloading", "apt-get update")
        run("debian", ["apt-get", "update"], env=env, what="apt-get update", quiet=not ctx.verbose)
        LOG.item("debian", "installing", " ".join(missing))
        started = time.monotonic()
        with no_service_autostart(
            ["postgresql", "postgresql-common"] if "postgresql" in missing else []
        ):
            run(
                "debian",
                ["apt-get", "install", "-y", "-q", *missing],
                env=env,
                what="apt-get install",
                quiet=not ctx.verbose,
                progress=lambda line: line.strip()[:80] or None,
            )
        self.stop_services(ctx, missing)
        LOG.item("debian", "apt-get done", " ".join(missing), time.monotonic() - started)

    def stop_services(self, ctx: Context, newly: list[str]) -> None:
        """Make sure no daemon from a package just installed runs (tests start their own)."""
        systemd = Path("/run/systemd/system").is_dir()
        for service in self.no_autostart:
            if service not in newly and not (
                service == "prometheus-node-exporter" and "prometheus" in newly
            ):
                continue
            if systemd:
                subprocess.run(["systemctl", "disable", "--now", service], capture_output=True)
        if "postgresql" in newly and shutil.which("pg_lsclusters"):
            out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
            for line in out.stdout.splitlines():
                cols = line.split()
                if len(cols) >= 4 and cols[3] == "online":
                    LOG.item(
                        "debian",
                        "stopping",
                        f"PostgreSQL cluster {cols[0]}/{cols[1]} "
                        f"started by the package (port {cols[2]})",
                    )
                    subprocess.run(["pg_ctlcluster", cols[0], cols[1], "stop"], capture_output=True)


@contextlib.contextmanager
def no_service_autostart(pg_packages: list[str]) -> Iterator[None]:
    """During apt-get install: forbid maintainer scripts to start daemons (policy-rc.d exit 101)
    and, when PostgreSQL is being installed, stop postgresql-common creating a default cluster."""
    created: list[Path] = []
    policy = Path("/usr/sbin/policy-rc.d")
    if not policy.exists():
        policy.write_text(
            "#!/bin/sh\n# written by pavedroad tools/bootstrap.py during apt-get "
            "install\nexit 101\n"
        )
        policy.chmod(0o755)
        created.append(policy)
    if pg_packages:
        conf_dir = Path("/etc/postgresql-common/createcluster.d")
        conf = conf_dir / "pavedroad-no-main-cluster.conf"
        if not conf.exists():
            conf_dir.mkdir(parents=True, exist_ok=True)
            conf.write_text(
                "# pavedroad: tests start their own clusters; no default cluster\n"
                "create_main_cluster = false\n"
            )
    try:
        yield
    finally:
        for path in created:
            with contextlib.suppress(OSError):
                path.unlink()


class Schemas(Item):
    """kubeconform schemas generated by tools/schemas.py, cached by their inputs."""

    def __init__(self, manifest: dict[str, Any]) -> None:
        super().__init__("schemas", "schemas", {"kubernetes-schemas", "crd-schemas"})
        self.spec = manifest.get("schemas", {})

    def key(self) -> str:
        return short_hash(json.dumps(self.spec, sort_keys=True), SCHEMAS_SCRIPT.read_bytes())

    def summary(self, ctx: Context) -> str:
        stamp = read_stamp(ctx.layout, "schemas") or {}
        return (
            f"Kubernetes {self.kubernetes_version()} and "
            f"{len(self.spec.get('crds', {}))} CRD sources, {stamp.get('files')} schemas"
        )

    def kubernetes_version(self) -> str:
        return str(self.spec["kubernetes"]["version"]).removeprefix("v")

    def check(self, ctx: Context) -> str | None:
        stamp = read_stamp(ctx.layout, "schemas")
        if not stamp or stamp.get("key") != self.key():
            return "kubeconform schemas not generated at the pinned versions"
        core = ctx.layout.schemas / "kubernetes" / f"v{self.kubernetes_version()}-standalone-strict"
        if not (core / "deployment-apps-v1.json").is_file():
            return f"{core}/deployment-apps-v1.json missing"
        return None

    def install(self, ctx: Context) -> None:
        started = time.monotonic()
        cached = ctx.layout.cache / "schemas" / self.key()
        if (cached / ".pavedroad-complete").is_file():
            status = "cached"
        else:
            python = ctx.layout.venv / "bin" / "python"
            if not python.exists():
                raise BootstrapError(
                    "schemas",
                    "the PyPI virtualenv (PyYAML) is needed first: "
                    "run without --only, or with --only pypi schemas",
                )
            staging = Path(tempfile.mkdtemp(prefix=".gen-", dir=ensure_dir(cached.parent)))
            staging.chmod(0o755)
            cmd = [
                str(python),
                str(SCHEMAS_SCRIPT),
                "--manifest",
                str(ctx.manifest_path),
                "--out",
                str(staging),
            ]
            LOG.item("schemas", "downloading", "Go modules holding the OpenAPI document and CRDs")
            try:
                run("schemas", cmd, env=ctx.go_env(), what="generating schemas", quiet=False)
                (staging / ".pavedroad-complete").write_text(self.key() + "\n")
                if cached.exists():
                    shutil.rmtree(cached)
                os.replace(staging, cached)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            status = "generated"
        count = copy_tree_linked(cached, ctx.layout.schemas)
        (ctx.layout.schemas / "kubernetes-version").write_text(self.kubernetes_version() + "\n")
        write_stamp(
            ctx.layout,
            "schemas",
            {"key": self.key(), "files": count, "kubernetes": self.kubernetes_version()},
        )
        LOG.item(
            "schemas",
            status,
            f"{count} schemas in {ctx.layout.schemas}",
            time.monotonic() - started,
        )


def build_items(manifest: dict[str, Any]) -> list[Item]:
    """Items of the sections present in the manifest, in install order."""
    items: list[Item] = []
    if manifest.get("debian", {}).get("packages"):
        items.append(DebianPackages(manifest))
    if shared_pypi_entries(manifest):
        items.append(PyPITools(manifest))
    items += [PyPITools(manifest, isolated=name) for name in isolated_pypi_entries(manifest)]
    if "kubernetes" in manifest.get("schemas", {}):
        items.append(Schemas(manifest))
    items += [GoTool(name, spec) for name, spec in manifest.get("go", {}).items()]
    return items


def select(items: list[Item], only: list[str] | None) -> list[Item]:
    if not only:
        return items
    chosen: list[Item] = []
    unknown = []
    for name in only:
        hits = [i for i in items if name in (i.name, i.section) or name in i.aliases]
        if not hits:
            unknown.append(name)
        chosen += [h for h in hits if h not in chosen]
    if unknown:
        known = sorted(
            {i.name for i in items} | {a for i in items for a in i.aliases} | set(SECTIONS)
        )
        raise BootstrapError(
            "bootstrap", f"unknown --only name(s): {', '.join(unknown)}; known: {', '.join(known)}"
        )
    return [i for i in items if i in chosen]


# ----------------------------------------------------------------------------------- commands


def print_env(layout: Layout, manifest: dict[str, Any]) -> None:
    k8s = manifest.get("schemas", {}).get("kubernetes", {}).get("version", "").removeprefix("v")
    print(f"export PAVEDROAD_TOOLS_DIR={shlex.quote(str(layout.tools))}")
    print(f"export PAVEDROAD_SCHEMAS={shlex.quote(str(layout.schemas))}")
    print(f"export PAVEDROAD_KUBERNETES_VERSION={shlex.quote(k8s)}")
    print(f'export PATH={shlex.quote(str(layout.bin))}:"$PATH"')


def check(ctx: Context, items: list[Item]) -> int:
    missing = []
    for item in items:
        try:
            problem = item.check(ctx)
        except BootstrapError as exc:
            problem = str(exc)
        LOG.item(item.name, "ok" if problem is None else "MISSING", problem or "")
        if problem is not None:
            missing.append(f"{item.name}: {problem}")
    if missing:
        print("\nMissing or not at the pinned version (run `make bootstrap`):", file=sys.stderr)
        for line in missing:
            print(f"  - {line}", file=sys.stderr)
        return 1
    LOG.line(f"[bootstrap] all {len(items)} items present at pinned versions")
    return 0


def install(ctx: Context, items: list[Item]) -> int:
    with cache_lock(ctx.layout):
        for d in (ctx.layout.bin, ctx.layout.state):
            d.mkdir(parents=True, exist_ok=True)
        failures: list[BootstrapError] = []
        for item in items:
            started = time.monotonic()
            try:
                problem = item.check(ctx)
                if problem is None:
                    LOG.item(item.name, "present", item.summary(ctx), time.monotonic() - started)
                    continue
                item.install(ctx)
            except BootstrapError as exc:
                # Go on with the other tools; report every failure at the end.
                LOG.item(item.name, "FAILED", "(details at the end)", time.monotonic() - started)
                failures.append(exc)
    took = time.monotonic() - LOG.start
    if failures:
        print(f"\n[bootstrap] FAILED after {took:.1f}s: {len(failures)} item(s)", file=sys.stderr)
        for failure in failures:
            print(f"\n[bootstrap] FAILED: {failure}", file=sys.stderr)
        return 1
    LOG.line(f"[bootstrap] done in {took:.1f}s; tools in {ctx.layout.bin}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="install only these tools (or sections: go, pypi, debian, schemas)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="verify all is present at the pinned versions; install nothing",
    )
    parser.add_argument(
        "--print-env",
        action="store_true",
        help="print export lines (PATH, PAVEDROAD_SCHEMAS, ...) and exit",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="stream the full output of go, pip and apt-get"
    )
    parser.add_argument("--manifest", type=Path, default=MANIFEST, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    layout = Layout.from_env()
    try:
        manifest = load_manifest(args.manifest)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        print(f"[bootstrap] cannot read {args.manifest}: {exc}", file=sys.stderr)
        return 2
    if args.print_env:
        print_env(layout, manifest)
        return 0
    ctx = Context(
        layout,
        manifest,
        manifest_path=args.manifest,
        deep=args.check,
        verbose=args.verbose or bool(os.environ.get("PAVEDROAD_BOOTSTRAP_VERBOSE")),
    )
    try:
        items = select(build_items(manifest), args.only)
        if args.check:
            return check(ctx, items)
        return install(ctx, items)
    except BootstrapError as exc:
        print(f"\n[bootstrap] FAILED: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n[bootstrap] interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
