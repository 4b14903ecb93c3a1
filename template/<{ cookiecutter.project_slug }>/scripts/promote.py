"""Promote an image between environments by digest, and check that promotions followed the path.

Each environment runs the digest in one line of its values file, `image.digest` in
charts/<{ cookiecutter.project_slug }>/values-<env>.yaml.
deploy/promotions.yaml lists the digests that passed each environment's checks. Promotion
copies the previous environment's digest into the next environment's values, and refuses one
that has not passed there (docs/gitops.md):

  promote.py promote ENV [--digest sha256:...]   dev takes --digest (the release pipeline's build);
                                                 staging and prod take the previous environment's
  promote.py record ENV                          ENV's digest passed ENV's checks: list it
  promote.py check                               every promoted digest passed the environment before

Files are rewritten whole through a temporary file, so an error never leaves half-written output.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHART = ROOT / "charts" / "<{ cookiecutter.project_slug }>"
LEDGER = ROOT / "deploy" / "promotions.yaml"
ENVIRONMENTS = ("dev", "staging", "prod")
PREVIOUS = {"staging": "dev", "prod": "staging"}
PLACEHOLDER = "sha256:" + "0" * 64
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
# The one line promotion changes: `  digest: "sha256:..."` in the values file's `image:` block.
DIGEST_LINE = re.compile(
    r'^(image:\n(?:  .*\n|#.*\n)*?  digest: )"?(sha256:[0-9a-f]*)"?$', re.MULTILINE
)


class PromotionError(Exception):
    """A promotion that must not happen, with what to do instead."""


def values_file(env: str, root: Path = ROOT) -> Path:
    return root / CHART.relative_to(ROOT) / f"values-{env}.yaml"


def current_digest(env: str, root: Path = ROOT) -> str:
    path = values_file(env, root)
    match = DIGEST_LINE.search(path.read_text(encoding="utf-8"))
    if not match:
        raise PromotionError(
            f"{path.relative_to(root)}: no `image.digest` line; "
            'add `image:` / `  digest: "sha256:..."`'
        )
    return match.group(2)


def passed(root: Path = ROOT) -> dict[str, list[str]]:
    data = yaml.safe_load((root / LEDGER.relative_to(ROOT)).read_text(encoding="utf-8")) or {}
    ledger = data.get("passed") or {}
    return {env: list(ledger.get(env) or []) for env in PREVIOUS.values()}


def _write(path: Path, text: str) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)


def set_digest(env: str, digest: str, root: Path = ROOT) -> None:
    path = values_file(env, root)
    text = path.read_text(encoding="utf-8")
    current_digest(env, root)
    _write(path, DIGEST_LINE.sub(lambda m: f'{m.group(1)}"{digest}"', text, count=1))


def promote(env: str, digest: str | None = None, root: Path = ROOT) -> str:
    """Set ``env``'s digest: dev from ``digest``, the others from the previous environment."""
    if env == "dev":
        if not digest or not DIGEST.match(digest):
            raise PromotionError(
                "dev takes the digest the release pipeline built: "
                f"--digest sha256:<64 hex>, not {digest!r}"
            )
    else:
        if digest:
            raise PromotionError(f"{env} takes {PREVIOUS[env]}'s digest; do not pass --digest")
        previous = PREVIOUS[env]
        digest = current_digest(previous, root)
        if digest == PLACEHOLDER:
            raise PromotionError(
                f"{previous} runs the placeholder digest; promote a release to {previous} first"
            )
        if digest not in passed(root)[previous]:
            raise PromotionError(
                f"{digest} has not passed {previous} (not listed under passed.{previous} in "
                f"deploy/promotions.yaml); let {previous}'s checks pass and record it first"
            )
    set_digest(env, digest, root)
    return digest


def record(env: str, root: Path = ROOT) -> str:
    """List ``env``'s current digest as having passed ``env``'s checks."""
    if env not in PREVIOUS.values():
        raise PromotionError(
            f"only dev and staging feed a later environment; nothing to record for {env}"
        )
    digest = current_digest(env, root)
    if digest == PLACEHOLDER:
        raise PromotionError(f"{env} runs the placeholder digest; there is nothing to record")
    ledger = passed(root)
    if digest not in ledger[env]:
        ledger[env].append(digest)
    path = root / LEDGER.relative_to(ROOT)
    header = "".join(
        line
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
        if line.startswith("#")
    )
    _write(path, header + yaml.safe_dump({"passed": ledger}, sort_keys=False))
    return digest


def check(root: Path = ROOT) -> list[str]:
    """Every environment's digest is well-formed and, after dev, passed the environment before."""
    problems = []
    ledger = passed(root)
    for env in ENVIRONMENTS:
        digest = current_digest(env, root)
        if not DIGEST.match(digest):
            problems.append(f"values-{env}.yaml: image.digest {digest!r} is not sha256:<64 hex>")
        elif env in PREVIOUS and digest != PLACEHOLDER and digest not in ledger[PREVIOUS[env]]:
            problems.append(
                f"values-{env}.yaml: image.digest {digest} has not passed {PREVIOUS[env]} "
                f"(deploy/promotions.yaml passed.{PREVIOUS[env]}); "
                f"promote with `make promote ENV={env}`"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("promote")
    p.add_argument("env", choices=ENVIRONMENTS)
    p.add_argument("--digest")
    r = sub.add_parser("record")
    r.add_argument("env", choices=ENVIRONMENTS)
    sub.add_parser("check")
    args = parser.parse_args(argv)
    try:
        if args.command == "promote":
            print(f"{args.env}: image.digest = {promote(args.env, args.digest)}")
        elif args.command == "record":
            print(f"{args.env}: recorded {record(args.env)} as passed")
        else:
            problems = check()
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                return 1
            print("promotion check: every environment runs a digest that passed the one before")
    except PromotionError as exc:
        print(f"promote: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
