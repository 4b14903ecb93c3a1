"""Sign an image by digest and verify it, with cosign and a key pair (mk/security.mk).

    python3 scripts/supply_chain.py resolve IMAGE_REF
    python3 scripts/supply_chain.py sign IMAGE_REF --key cosign.key --sbom SBOM --record FILE
    python3 scripts/supply_chain.py verify IMAGE_REF --key cosign.pub [--signed-digest-file FILE]

`sign` resolves IMAGE_REF to its digest once, signs and attests the CycloneDX SBOM for that
digest only, and records the digest. `verify` fails, saying why, when the reference no longer
resolves to the recorded digest (the tag was re-pushed), when the digest carries no valid
signature from the key, or when its SBOM attestation is missing or describes another image.
The GitHub workflow signs keyless instead (.github/workflows/ci.yml, job `sign`).
Standard library only; needs crane and cosign on PATH.
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any


class VerificationError(Exception):
    pass


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def repository(ref: str) -> str:
    """REGISTRY/NAME of a reference, without its tag or digest."""
    name = ref.split("@", 1)[0]
    registry, _, path = name.rpartition("/")
    return f"{registry}/{path.split(':', 1)[0]}" if registry else name.split(":", 1)[0]


def resolve(ref: str, insecure: bool) -> str:
    result = run(["crane", "digest", *(["--insecure"] if insecure else []), ref])
    if result.returncode != 0:
        raise VerificationError(f"cannot resolve {ref} in its registry: {result.stderr.strip()}")
    return result.stdout.strip()


def cosign_flags(insecure: bool) -> list[str]:
    return ["--allow-http-registry", "--allow-insecure-registry"] if insecure else []


def sign(ref: str, key: str, sbom: Path, record: Path, insecure: bool) -> str:
    digest = resolve(ref, insecure)
    pinned = f"{repository(ref)}@{digest}"
    described = json.loads(sbom.read_text(encoding="utf-8")).get("metadata", {})
    described = described.get("component", {}).get("version")
    if described != digest:
        raise VerificationError(
            f"{sbom} describes {described}, not {digest} (what {ref} resolves to now): "
            "run `make sbom-image` for this image first"
        )
    # A key pair and no transparency log: the offline flow. CI signs keyless with Rekor.
    offline = ["--yes", "--key", key, "--tlog-upload=false", "--use-signing-config=false"]
    for cmd in (
        ["cosign", "sign", *offline, *cosign_flags(insecure), pinned],
        [
            "cosign",
            "attest",
            *offline,
            *cosign_flags(insecure),
            "--type",
            "cyclonedx",
            "--predicate",
            str(sbom),
            pinned,
        ],
    ):
        result = run(cmd)
        if result.returncode != 0:
            raise VerificationError(f"{' '.join(cmd[:2])} {pinned} failed: {result.stderr.strip()}")
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(digest + "\n", encoding="utf-8")
    return pinned


def attested_sboms(output: str) -> list[tuple[set[str], Any]]:
    """(subject digests, predicate) of every verified in-toto statement in cosign's output."""
    statements = []
    for line in output.splitlines():
        if not line.strip():
            continue
        envelope = json.loads(line)
        statement = json.loads(base64.b64decode(envelope["payload"]))
        subjects = {f"sha256:{s['digest']['sha256']}" for s in statement.get("subject", [])}
        statements.append((subjects, statement.get("predicate", {})))
    return statements


def verify(ref: str, key: str, signed_digest_file: Path | None, insecure: bool) -> str:
    digest = resolve(ref, insecure)
    if signed_digest_file is not None and signed_digest_file.exists():
        signed = signed_digest_file.read_text(encoding="utf-8").strip()
        if "@" not in ref and digest != signed:
            raise VerificationError(
                f"{ref} now resolves to {digest}, but the signed digest is {signed}: the tag was "
                "re-pushed after signing. Deploy by digest, never by tag."
            )
    pinned = f"{repository(ref)}@{digest}"
    check = ["--key", key, "--insecure-ignore-tlog", *cosign_flags(insecure)]
    result = run(["cosign", "verify", *check, pinned])
    if result.returncode != 0:
        raise VerificationError(
            f"cosign verify: {pinned} has no valid signature from {key} (unsigned, or signed "
            "by another key): "
            f"{result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ''}"
        )
    result = run(["cosign", "verify-attestation", *check, "--type", "cyclonedx", pinned])
    if result.returncode != 0:
        raise VerificationError(
            f"cosign verify-attestation: {pinned} has no CycloneDX SBOM attestation signed by "
            f"{key}: "
            f"{result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ''}"
        )
    for subjects, predicate in attested_sboms(result.stdout):
        described = predicate.get("metadata", {}).get("component", {}).get("version")
        if digest not in subjects or described != digest:
            raise VerificationError(
                f"the SBOM attested on {pinned} describes {described or 'no image digest'}, not "
                f"{digest}: the attestation was made for another image. Re-run `make sbom sign`."
            )
    return pinned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--insecure-registry", action="store_true", help="plain-HTTP registry")
    commands = parser.add_subparsers(dest="command", required=True)
    resolve_cmd = commands.add_parser("resolve", help="print IMAGE_REF as REPOSITORY@DIGEST")
    resolve_cmd.add_argument("ref")
    sign_cmd = commands.add_parser("sign", help="sign and attest the SBOM, by digest")
    sign_cmd.add_argument("ref")
    sign_cmd.add_argument("--key", required=True)
    sign_cmd.add_argument("--sbom", type=Path, required=True)
    sign_cmd.add_argument("--record", type=Path, required=True)
    verify_cmd = commands.add_parser("verify", help="verify the signature and the SBOM attestation")
    verify_cmd.add_argument("ref")
    verify_cmd.add_argument("--key", required=True)
    verify_cmd.add_argument("--signed-digest-file", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "resolve":
            print(f"{repository(args.ref)}@{resolve(args.ref, args.insecure_registry)}")
        elif args.command == "sign":
            if not args.sbom.is_file():
                raise VerificationError(f"no SBOM at {args.sbom}: run `make sbom-image` first")
            pinned = sign(args.ref, args.key, args.sbom, args.record, args.insecure_registry)
            print(f"signed {pinned} and attested its SBOM")
        else:
            pinned = verify(args.ref, args.key, args.signed_digest_file, args.insecure_registry)
            print(f"verified {pinned}: signature and CycloneDX SBOM attestation for this digest")
    except VerificationError as exc:
        print(f"{args.command}: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
