"""End to end: the default render's Dockerfile, built with buildah and run read-only as non-root.

The image is built from local base images that reproduce the upstream defaults (see
tests/e2e/images.py), with the wheels of its lock file and the libraries' fresh wheels served as
a local package index through a pip.conf build secret, exactly as a company index would be.
The container then migrates a real PostgreSQL, serves /readyz, proves it is not root and cannot
write to /, and shuts down on SIGTERM within its drain bound. The same image is then pushed to a
local registry, and the generated `make sbom sign verify` (syft, cosign with a key pair made for
the test) must sign and attest it by digest, and reject an unsigned image, a re-pushed tag and an
SBOM attestation made for another digest.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests import harness
from tests.e2e.images import (
    Containers,
    base_images,
    serve_directory,
    serve_registry,
    wheelhouse,
)
from tests.harness import load_example, render_copier

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MAX_IMAGE_BYTES = 100 * 1000 * 1000
SHUTDOWN_DELAY = 2.0
DRAIN = 5.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def containers() -> Containers:
    return Containers()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("e2e") / "team-notes"
    render_copier(load_example("default"), dest)
    return dest


@pytest.fixture(scope="module")
def image(
    containers: Containers, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    builder, runtime = base_images(containers)
    wheels = wheelhouse(project / "requirements.lock", tmp_path_factory.mktemp("wheelhouse"))
    name = f"localhost/team-notes:e2e-{uuid.uuid4().hex[:8]}"
    with serve_directory(wheels) as index:
        pip_conf = tmp_path_factory.mktemp("secrets") / "pip.conf"
        pip_conf.write_text(f"[global]\nno-index = true\nfind-links = {index}\n", encoding="utf-8")
        containers.buildah(
            "bud",
            "--isolation",
            "chroot",
            "--pull=never",
            "--format",
            "docker",
            "--layers=false",
            "--secret",
            f"id=pip.conf,src={pip_conf}",
            "--build-arg",
            f"BUILDER_IMAGE={builder}",
            "--build-arg",
            f"RUNTIME_IMAGE={runtime}",
            "-t",
            name,
            "-f",
            str(project / "Dockerfile"),
            str(project),
        )
    yield name
    containers.podman("rmi", "--force", name, check=False)


@pytest.fixture(scope="module")
def postgres_url(project: Path) -> Iterator[str]:
    throwaway = _load(project / "scripts" / "throwaway_postgres.py", "throwaway_postgres")
    with throwaway.throwaway_cluster() as url:
        yield url


def _service_env(database_url: str, port: int) -> list[str]:
    values = {
        "APP_ENV": "dev",
        "APP_PORT": str(port),
        "APP_SHUTDOWN_DELAY_SECONDS": str(SHUTDOWN_DELAY),
        "APP_DRAIN_SECONDS": str(DRAIN),
        "APP_DATABASE_URL_REF": "env:DATABASE_URL",
        "DATABASE_URL": database_url,
        "APP_SLACK_BOT_TOKEN_REF": "env:SLACK_BOT_TOKEN",
        "SLACK_BOT_TOKEN": "xoxb-e2e-" + secrets.token_hex(8),
        "APP_SLACK_SIGNING_SECRET_REF": "env:SLACK_SIGNING_SECRET",
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),
        "OTEL_TRACES_EXPORTER": "none",
    }
    return [arg for key, value in values.items() for arg in ("-e", f"{key}={value}")]


HARDENED = [
    "--read-only",
    "--network",
    "host",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--tmpfs",
    "/tmp:rw,size=64m,mode=1777",
    "--no-healthcheck",  # Kubernetes probes /livez itself; podman would need systemd timers
]


def test_the_runtime_image_is_small(containers: Containers, image: str) -> None:
    size = containers.image_size(image)
    report = Path(os.environ.get("PAVEDROAD_E2E_REPORT", "build/e2e/image-size.txt"))
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        f"{image} {size} bytes ({size / 1e6:.1f} MB uncompressed)\n", encoding="utf-8"
    )
    print(f"\nruntime image size: {size / 1e6:.1f} MB uncompressed")
    assert size <= MAX_IMAGE_BYTES, f"the image is {size / 1e6:.1f} MB, over 100 MB"


def test_the_image_has_no_shell_and_a_numeric_non_root_user(
    containers: Containers, image: str
) -> None:
    config = containers.podman(
        "image", "inspect", "--format", "{{.Config.User}}", image
    ).stdout.strip()
    assert config == "65532:65532"
    shell = containers.podman(
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "/bin/sh",
        image,
        "-c",
        "true",
        check=False,
    )
    assert shell.returncode != 0, "the runtime image must not contain a shell"


def test_the_container_serves_read_only_as_non_root_and_drains_on_sigterm(
    containers: Containers, image: str, postgres_url: str
) -> None:
    port = _free_port()
    env = _service_env(postgres_url, port)
    migrated = containers.podman("run", "--rm", *HARDENED, *env, image, "migrate", timeout=120)
    assert "migrations applied" in migrated.stdout + migrated.stderr

    name = f"team-notes-e2e-{uuid.uuid4().hex[:8]}"
    containers.podman("run", "-d", "--name", name, *HARDENED, *env, image)
    try:
        deadline = time.monotonic() + 60
        while _get(f"http://127.0.0.1:{port}/readyz") != 200:
            state = containers.podman(
                "inspect", "--format", "{{.State.Status}}", name
            ).stdout.strip()
            assert state == "running", containers.podman("logs", name, check=False).stderr
            assert time.monotonic() < deadline, "/readyz was not 200 within 60 s"
            time.sleep(0.25)

        ids = containers.podman(
            "exec", name, "python3", "-c", "import os; print(os.getuid(), os.getgid())"
        )
        uid, gid = (int(part) for part in ids.stdout.split())
        assert uid != 0, "the container runs as root"
        assert (uid, gid) == (65532, 65532)

        probe = "open('/pavedroad-write-probe', 'w').write('x')"
        write_root = containers.podman("exec", name, "python3", "-c", probe, check=False)
        assert write_root.returncode != 0, "a write to / succeeded: the root filesystem is writable"
        assert "Read-only file system" in write_root.stderr
        write_tmp = containers.podman(
            "exec", name, "python3", "-c", "open('/tmp/probe', 'w').write('x')", check=False
        )
        assert write_tmp.returncode == 0, write_tmp.stderr

        signalled = time.monotonic()
        containers.podman("kill", "--signal", "TERM", name)
        time.sleep(0.5)
        assert _get(f"http://127.0.0.1:{port}/readyz") == 503, (
            "readiness must fail first on SIGTERM"
        )
        assert _get(f"http://127.0.0.1:{port}/livez") == 200, (
            "requests are still served while draining"
        )
        exit_code = containers.podman(
            "wait", name, timeout=SHUTDOWN_DELAY + DRAIN + 30
        ).stdout.strip()
        elapsed = time.monotonic() - signalled
        logs = containers.podman("logs", name, check=False)
        assert exit_code == "0", f"exit {exit_code}\n{logs.stdout}\n{logs.stderr}"
        assert elapsed < SHUTDOWN_DELAY + DRAIN + 3, f"shutdown took {elapsed:.1f}s"
        assert '"service stopped"' in logs.stdout + logs.stderr
    finally:
        containers.podman("rm", "--force", name, check=False)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_registry(tmp_path_factory.mktemp("registry")) as address:
        yield address


@pytest.fixture(scope="module")
def signing(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A cosign key pair made for this test run only, and the make variables that use it."""
    keys = tmp_path_factory.mktemp("cosign")
    env = {"COSIGN_PASSWORD": secrets.token_hex(12)}
    subprocess.run(
        ["cosign", "generate-key-pair", "--output-key-prefix", str(keys / "cosign")],
        env=harness.toolchain_env(env),
        capture_output=True,
        check=True,
        timeout=60,
    )
    return {
        "COSIGN_PASSWORD": env["COSIGN_PASSWORD"],
        "COSIGN_KEY": str(keys / "cosign.key"),
        "COSIGN_PUB": str(keys / "cosign.pub"),
        "REGISTRY_INSECURE": "1",
    }


@pytest.fixture(scope="module")
def signed(
    containers: Containers, image: str, project: Path, registry: str, signing: dict[str, str]
) -> str:
    """The built image pushed to the registry, with SBOMs, signed and attested by `make`."""
    ref = f"{registry}/team-notes:e2e"
    containers.podman("push", "--tls-verify=false", image, f"docker://{ref}", timeout=600)
    harness.assert_make_passes(project, "sbom", env={**signing, "IMAGE_REF": ref}, timeout=900)
    harness.assert_make_passes(project, "sign", env={**signing, "IMAGE_REF": ref}, timeout=300)
    return ref


def _tool(*cmd: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        list(cmd), env=harness.toolchain_env(env), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"$ {' '.join(cmd)}\n{result.stdout}\n{result.stderr}"
    return result.stdout.strip()


def test_make_signs_and_attests_the_image_by_digest_and_verifies_it(
    project: Path, registry: str, signed: str, signing: dict[str, str]
) -> None:
    out = project / "out" / "supply-chain"
    digest = (out / "digest").read_text(encoding="utf-8").strip()
    assert digest == _tool("crane", "digest", "--insecure", signed)
    image_sbom = json.loads((out / "image.cdx.json").read_text(encoding="utf-8"))
    assert image_sbom["metadata"]["component"]["version"] == digest
    in_image = {component["name"] for component in image_sbom["components"]}
    assert {"fastapi", "slack-bolt", "sqlalchemy"} <= {name.lower() for name in in_image}
    python_sbom = json.loads((out / "python.cdx.json").read_text(encoding="utf-8"))
    assert {"fastapi", "slack-bolt"} <= {c["name"] for c in python_sbom["components"]}
    for spdx in ("image.spdx.json", "python.spdx.json"):
        assert json.loads((out / spdx).read_text(encoding="utf-8"))["spdxVersion"] == "SPDX-2.3"
    verified = harness.assert_make_passes(project, "verify", env={**signing, "IMAGE_REF": signed})
    assert f"verified {registry}/team-notes@{digest}: signature and CycloneDX SBOM" in verified


def test_verify_rejects_unsigned_re_pushed_and_misattested_images(
    project: Path, registry: str, signed: str, signing: dict[str, str], tmp_path: Path
) -> None:
    signed_digest = (project / "out" / "supply-chain" / "digest").read_text().strip()
    # Another image: the signed one plus a layer, never signed.
    (tmp_path / "extra.txt").write_text("not what was signed\n", encoding="utf-8")
    subprocess.run(["tar", "-cf", "extra.tar", "extra.txt"], cwd=tmp_path, check=True)
    other_tag = f"{registry}/team-notes:other"
    _tool(
        "crane",
        "append",
        "--insecure",
        "-b",
        signed,
        "-f",
        str(tmp_path / "extra.tar"),
        "-t",
        other_tag,
    )
    other = f"{registry}/team-notes@{_tool('crane', 'digest', '--insecure', other_tag)}"

    def verify(ref: str, expect: list[str]) -> None:
        harness.assert_make_fails(
            project, "verify", env={**signing, "IMAGE_REF": ref}, expect=expect, timeout=300
        )

    # 1. Unsigned, deployed by digest.
    verify(other, ["cosign verify: ", f"{other} has no valid signature"])

    # 2. Signed, but carrying an SBOM attestation made for the other (signed) digest.
    flags = [
        "--yes",
        "--key",
        signing["COSIGN_KEY"],
        "--tlog-upload=false",
        "--use-signing-config=false",
        "--allow-http-registry",
        "--allow-insecure-registry",
    ]
    env = {"COSIGN_PASSWORD": signing["COSIGN_PASSWORD"]}
    _tool("cosign", "sign", *flags, other, env=env)
    sbom = str(project / "out" / "supply-chain" / "image.cdx.json")
    _tool("cosign", "attest", *flags, "--type", "cyclonedx", "--predicate", sbom, other, env=env)
    verify(other, [f"describes {signed_digest}", "the attestation was made for another image"])

    # 3. The signed tag re-pushed with other content.
    _tool("crane", "copy", "--insecure", other_tag, signed)
    verify(signed, [f"the signed digest is {signed_digest}", "the tag was re-pushed"])
