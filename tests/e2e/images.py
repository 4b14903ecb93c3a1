"""Local container tooling for the end-to-end tier: base images, storage, wheelhouse, builds.

No registry can be pulled from here, so the upstream base images that the generated Dockerfile
names by digest are reproduced locally with mmdebstrap, from the same Debian release and the
same CPython minor version:

* builder: Debian 12 (bookworm) with python3, python3-venv and apt, like python:3.11-slim-bookworm;
* runtime: Debian 12's CPython 3.11 and its shared libraries only, with every executable but
  the interpreter removed and a `nonroot` user 65532, like gcr.io/distroless/python3-debian12.

The tarballs are cached in ~/.cache/pavedroad/images (keyed by a hash of how they are made);
podman/buildah use a storage of this repository's own under build/e2e.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.harness import REPO_ROOT, free_port
from tools.internal_hashes import SOURCE_DATE_EPOCH

CACHE = Path(os.environ.get("PAVEDROAD_CACHE", Path.home() / ".cache" / "pavedroad"))
IMAGE_CACHE = CACHE / "images"
WHEEL_CACHE = CACHE / "wheels"
BUILD_DIR = REPO_ROOT / "build" / "e2e"
SUITE = "bookworm"  # Debian 12, the release of both upstream default images
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

BUILDER_PACKAGES = ("python3", "python3-venv", "ca-certificates", "apt")
RUNTIME_PACKAGES = (
    "python3-minimal",
    "python3.11-minimal",
    "libpython3.11-stdlib",
    # distroless/python3 is built on distroless/cc: C++ runtime for extension modules (greenlet).
    "libstdc++6",
    "libgcc-s1",
    "ca-certificates",
    "netbase",
    "tzdata",
)
# An extract hook (run on the host, root filesystem in $1): make the packages distroless-like.
RUNTIME_HOOK = r"""
set -eu
root="$1"
for dir in bin sbin usr/bin usr/sbin usr/local/bin; do
  [ -d "$root/$dir" ] && find "$root/$dir" -mindepth 1 ! -name 'python3*' -exec rm -rf {} +
done
rm -rf "$root"/usr/share/perl* "$root"/usr/lib/x86_64-linux-gnu/perl* "$root"/usr/share/doc \
  "$root"/usr/share/locale "$root"/usr/share/man "$root"/usr/share/info "$root"/var/lib/dpkg/info "$root"/usr/lib/dpkg \
  "$root"/usr/share/debconf
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nnonroot:x:65532:\n' > "$root/etc/group"
mkdir -p "$root/home/nonroot" "$root/tmp"
chown 65532:65532 "$root/home/nonroot"
chmod 1777 "$root/tmp"
"""  # noqa: E501 - shell script


def debian_mirror() -> str:
    """The Debian mirror apt already uses on this machine."""
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for source in sources:
        if not source.is_file():
            continue
        text = source.read_text(encoding="utf-8", errors="replace")
        match = re.search(r"^URIs:\s*(\S+/debian)\s*$", text, re.MULTILINE) or re.search(
            r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+/debian)\s", text, re.MULTILINE
        )
        if match:
            return match.group(1)
    return "http://deb.debian.org/debian"


def _run(cmd: list[str], *, env: Mapping[str, str] | None = None, timeout: float = 900) -> str:
    result = subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise AssertionError(
            f"$ {' '.join(cmd)}\nexit {result.returncode}\n--- stdout\n{result.stdout[-6000:]}"
            f"\n--- stderr\n{result.stderr[-6000:]}"
        )
    return result.stdout


def _base_tarball(kind: str, packages: tuple[str, ...], variant: str, hook: str | None) -> Path:
    key = hashlib.sha256(repr((SUITE, packages, variant, hook)).encode()).hexdigest()[:12]
    if hook:
        key = hashlib.sha256(f"{key} extract-hook".encode()).hexdigest()[:12]
    tarball = IMAGE_CACHE / f"{SUITE}-{kind}-{key}.tar"
    if tarball.exists():
        return tarball
    IMAGE_CACHE.mkdir(parents=True, exist_ok=True)
    partial = tarball.with_suffix(".partial.tar")
    cmd = [
        "mmdebstrap",
        "--mode=root",
        f"--variant={variant}",
        "--include=" + ",".join(packages),
    ]
    if hook:
        # The extract variant runs no customize hooks; extract hooks run on the host.
        cmd.append(f"--extract-hook={hook}")
    cmd += [SUITE, str(partial), f"deb {debian_mirror()} {SUITE} main"]
    _run(cmd)
    partial.rename(tarball)
    return tarball


class Containers:
    """podman and buildah with this repository's own storage and engine configuration."""

    def __init__(self, root: Path = BUILD_DIR) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        storage = root / "storage.conf"
        storage.write_text(
            "[storage]\n"
            'driver = "overlay"\n'
            f'graphroot = "{root / "storage"}"\n'
            f'runroot = "{root / "run"}"\n',
            encoding="utf-8",
        )
        engine = root / "containers.conf"
        engine.write_text(
            "[containers]\n"
            'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n'
            "[engine]\n"
            'runtime = "runc"\n'
            'cgroup_manager = "cgroupfs"\n'
            'events_logger = "file"\n',
            encoding="utf-8",
        )
        self.env = {
            **os.environ,
            "CONTAINERS_STORAGE_CONF": str(storage),
            "CONTAINERS_CONF": str(engine),
        }

    def podman(
        self, *args: str, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["podman", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            command = " ".join(args)
            raise AssertionError(
                f"$ podman {command}\nexit {result.returncode}\n{result.stdout}\n{result.stderr}"
            )
        return result

    def buildah(self, *args: str, timeout: float = 1200) -> str:
        return _run(["buildah", *args], env=self.env, timeout=timeout)

    def has_image(self, name: str) -> bool:
        return self.podman("image", "exists", name, check=False).returncode == 0

    def import_base(self, tarball: Path, name: str) -> str:
        if not self.has_image(name):
            self.podman("import", "--change", f"ENV {PATH_ENV}", str(tarball), name)
        return name

    def image_size(self, name: str) -> int:
        return int(self.podman("image", "inspect", "--format", "{{.Size}}", name).stdout.strip())


def base_images(containers: Containers) -> tuple[str, str]:
    """The local builder and runtime bases, built and imported on first use."""
    builder = _base_tarball("builder", BUILDER_PACKAGES, "essential", None)
    runtime = _base_tarball("runtime", RUNTIME_PACKAGES, "extract", RUNTIME_HOOK)
    return (
        containers.import_base(builder, f"localhost/pavedroad-e2e/builder:{builder.stem}"),
        containers.import_base(runtime, f"localhost/pavedroad-e2e/runtime:{runtime.stem}"),
    )


def build_library_wheels(dest: Path) -> list[Path]:
    """Fresh wheels of both libraries (`python -m build --wheel`)."""
    for lib in ("observability", "secrets"):
        _run(
            [
                sys.executable,
                "-m",
                "build",
                "--wheel",
                "--outdir",
                str(dest),
                str(REPO_ROOT / "libs" / lib),
            ],
            # byte-reproducible, so the hashes the template records match (make wheels)
            env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        )
    return sorted(dest.glob("pavedroad_*.whl"))


def wheelhouse(lock: Path, dest: Path) -> Path:
    """A directory with every wheel of ``lock`` (cached, hash-checked) and the libraries' wheels."""
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    cache = WHEEL_CACHE / tag
    cache.mkdir(parents=True, exist_ok=True)
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-r",
            str(lock),
            "-d",
            str(cache),
        ]
    )
    dest.mkdir(parents=True, exist_ok=True)
    for wheel in cache.glob("*.whl"):
        shutil.copy2(wheel, dest / wheel.name)
    build_library_wheels(dest)
    return dest


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on a free loopback port (a find-links index for pip)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_registry(storage: Path) -> Iterator[str]:
    """A CNCF distribution registry (docker-registry) on a free loopback port, plain HTTP."""
    port = free_port()
    config = storage / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: error\n"
        f"storage:\n  filesystem:\n    rootdirectory: {storage / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n",
        encoding="utf-8",
    )
    server = subprocess.Popen(
        ["docker-registry", "serve", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://{address}/v2/", timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"docker-registry did not serve {address}: {server.communicate()[1]}"
                    ) from None
                time.sleep(0.1)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=10)
