"""``pavedroad-secrets``: read, rotate and audit secrets; built for Kubernetes CronJobs.

Exit codes:

0  success
1  ``check``: at least one secret is older than its policy allows
2  usage error: bad arguments, a malformed reference, an unknown scheme or strategy, a bad
   policy file, or ``get`` refusing to print a secret to a terminal
3  a secret could not be read (not found, missing key, access denied, backend unreachable,
   not a regular file, a symlink loop, outside ``PAVEDROAD_SECRETS_FILE_ROOT``);
   for ``check``: some ages could not be determined, and none is overdue (every entry is
   checked and reported; one that fails does not stop the others)

No message quotes a reference that does not parse, or a policy value: such text may be a
secret value written where its reference belongs.
4  ``rotate``: a rotation step failed after retries; no label was moved by the failing step,
   and re-running with the printed ``--token`` resumes the rotation
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import uuid
from collections.abc import Sequence
from typing import TextIO

from pavedroad.secrets.errors import (
    PolicyError,
    ReferenceSyntaxError,
    RotationError,
    SecretError,
)
from pavedroad.secrets.policy import RotationPolicy, check_policy
from pavedroad.secrets.resolver import Resolver
from pavedroad.secrets.rotation import STRATEGIES, RotationEngine, strategy_from_name

EXIT_OK = 0
EXIT_OVERDUE = 1
EXIT_USAGE = 2
EXIT_UNREADABLE = 3
EXIT_ROTATION_FAILED = 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pavedroad-secrets",
        description="Read, rotate and audit secrets referenced as env:, file:, aws-sm:, "
        "vault: or vault-db: URIs.",
        epilog="Exit codes: 0 ok, 1 overdue secret (check), 2 usage error, 3 secret "
        "unreadable, 4 rotation step failed.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    get = commands.add_parser("get", help="print a secret's value")
    get.add_argument("ref", help="secret reference, e.g. aws-sm:prod/app/db#password")
    get.add_argument(
        "--reveal",
        action="store_true",
        help="print even when stdout is a terminal (by default only to a pipe or file)",
    )

    rotate = commands.add_parser(
        "rotate", help="rotate an AWS Secrets Manager secret with the four-step protocol"
    )
    rotate.add_argument("ref", help="aws-sm:<secret id or ARN>")
    rotate.add_argument("--strategy", required=True, choices=STRATEGIES)
    rotate.add_argument(
        "--admin-ref", help="postgres-alternating-users: reference to an admin credential"
    )
    rotate.add_argument("--key", help="generate: replace only this key of a JSON secret")
    rotate.add_argument("--length", type=int, help="length of generated passwords (default 32)")
    rotate.add_argument("--token", help="resume an interrupted rotation with the token it printed")
    rotate.add_argument("--attempts", type=int, default=3, help="tries per step (default 3)")

    check = commands.add_parser("check", help="compare secrets' ages with a rotation policy")
    check.add_argument("--policy", required=True, help="policy TOML file")
    check.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    resolver = Resolver()
    try:
        if args.command == "get":
            return _get(resolver, args.ref, args.reveal, sys.stdout)
        if args.command == "rotate":
            return _rotate(resolver, args)
        return _check(resolver, args.policy, args.format, sys.stdout)
    except (ReferenceSyntaxError, PolicyError, ValueError, ImportError) as exc:
        _error(str(exc))
        return EXIT_USAGE
    except RotationError as exc:
        _error(str(exc))
        return EXIT_ROTATION_FAILED
    except SecretError as exc:
        _error(str(exc))
        return EXIT_UNREADABLE
    except OSError as exc:  # providers wrap theirs; this is a last line, never a traceback
        _error(f"a file could not be read ({type(exc).__name__}: {exc.strerror or 'error'})")
        return EXIT_UNREADABLE
    finally:
        resolver.close()


def _error(message: str) -> None:
    print(f"pavedroad-secrets: {message}", file=sys.stderr)


def _get(resolver: Resolver, ref: str, reveal: bool, out: TextIO) -> int:
    reference = resolver.parse(ref)
    if out.isatty() and not reveal:
        _error(
            "refusing to print a secret to a terminal; pipe or redirect stdout, or pass --reveal"
        )
        return EXIT_USAGE
    value = resolver.resolve(reference).reveal()
    out.write(value + ("\n" if out.isatty() else ""))
    out.flush()
    return EXIT_OK


def _rotate(resolver: Resolver, args: argparse.Namespace) -> int:
    reference = resolver.parse(args.ref)
    if reference.scheme != "aws-sm" or reference.key is not None or reference.params:
        raise ValueError(
            f"rotate: the {reference.scheme}: reference is not a whole Secrets Manager secret; "
            "rotation runs the Secrets Manager protocol, give 'aws-sm:<secret id or ARN>' "
            "without #key or ?stage"
        )
    if args.attempts < 1:
        raise ValueError(f"--attempts must be >= 1, got {args.attempts}")
    strategy = strategy_from_name(
        args.strategy, admin_ref=args.admin_ref, key=args.key, length=args.length
    )
    engine = RotationEngine(strategy)
    token = args.token or str(uuid.uuid4())
    try:
        engine.rotate(reference.body, token=token, attempts=args.attempts)
    except RotationError as exc:
        raise RotationError(
            f"{exc}; resume with --token {token}",
            secret_id=exc.secret_id,
            step=exc.step,
        ) from exc
    print(json.dumps({"secret": reference.body, "version": token, "status": "rotated"}))
    return EXIT_OK


def _check(resolver: Resolver, path: str, fmt: str, out: TextIO) -> int:
    policy = RotationPolicy.load(path)
    reports = check_policy(policy, resolver)
    if fmt == "json":
        rows = [
            {
                "entry": r.entry,
                "ref": r.reference or None,
                "class": r.secret_class,
                "max_age_seconds": r.max_age.total_seconds(),
                "age_seconds": None if r.age is None else round(r.age.total_seconds()),
                "status": r.status,
                "detail": r.detail,
            }
            for r in reports
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
    else:
        for r in reports:
            age = "unknown" if r.age is None else f"{r.age.total_seconds() / 86400:.1f}d"
            limit = f"{r.max_age.total_seconds() / 86400:g}d"
            line = (
                f"{r.status.upper():8} {r.reference or r.entry}  class={r.secret_class} "
                f"age={age} max={limit}"
            )
            out.write(line + (f"  ({r.detail})" if r.detail else "") + "\n")
    if any(r.status == "overdue" for r in reports):
        return EXIT_OVERDUE
    if any(r.status == "error" for r in reports):
        return EXIT_UNREADABLE
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
