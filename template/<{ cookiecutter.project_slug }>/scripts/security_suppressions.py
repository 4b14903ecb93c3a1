"""The one suppressions file for every security scanner: check it, and hand it to each scanner.

.security-suppressions.toml holds one [[suppression]] table per accepted finding:

    [[suppression]]
    id = "B608"                    # the finding's ID as the scanner prints it
    scanner = "bandit"             # one of SCANNERS below
    reason = "why this is safe or accepted, and what would remove it"
    owner = "@team-handle"         # who renews or removes it
    expires = 2027-03-31           # a TOML date, at most MAX_DAYS ahead

Usage:
    python3 scripts/security_suppressions.py check
    python3 scripts/security_suppressions.py args SCANNER          # CLI flags, one per line
    python3 scripts/security_suppressions.py ignorefile SCANNER PATH

`check` fails, naming the entry and the field, on a malformed or expired entry (`make ci` runs it
first, so an expired suppression can never hide a finding). `args` and `ignorefile` refuse to run
when the file does not pass `check`. Standard library only: the GitHub scan jobs run it with the
runner's python3.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tomllib
from pathlib import Path
from typing import Any

SUPPRESSIONS = Path(".security-suppressions.toml")
MAX_DAYS = 366
FIELDS = ("id", "scanner", "reason", "owner", "expires")
# scanner -> how it receives suppressions: CLI flags ("args") or an ignore file ("ignorefile").
SCANNERS = {
    "semgrep": "args",
    "bandit": "args",
    "hadolint": "args",
    "pip-audit": "args",
    "schemathesis": "args",
    "gitleaks": "ignorefile",
    "trivy": "ignorefile",
    "zap": "ignorefile",
}


class SuppressionError(Exception):
    pass


def load(path: Path, today: datetime.date) -> list[dict[str, Any]]:
    """The entries of `path`, or SuppressionError listing every problem, each naming its entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SuppressionError(f"{path}: missing (an empty file means no suppressions)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SuppressionError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"suppression"})
    if unknown:
        raise SuppressionError(f"{path}: unknown top-level keys {unknown}; use [[suppression]]")
    entries = data.get("suppression", [])
    problems: list[str] = []
    for number, entry in enumerate(entries, start=1):
        name = f"{path} suppression #{number} ({entry.get('scanner', '?')} {entry.get('id', '?')})"
        problems += [f"{name}: {problem}" for problem in entry_problems(entry, today)]
    if problems:
        raise SuppressionError("\n".join(problems))
    return list(entries)


def entry_problems(entry: dict[str, Any], today: datetime.date) -> list[str]:
    problems = [f"missing field '{field}'" for field in FIELDS if field not in entry]
    problems += [f"unknown field '{field}'" for field in sorted(set(entry) - set(FIELDS))]
    for field in ("id", "scanner", "reason", "owner"):
        value = entry.get(field)
        if field in entry and (not isinstance(value, str) or not value.strip()):
            problems.append(f"'{field}' must be a non-empty string, got {value!r}")
    scanner = entry.get("scanner")
    if isinstance(scanner, str) and scanner and scanner not in SCANNERS:
        problems.append(f"scanner '{scanner}' is not one of {sorted(SCANNERS)}")
    reason = entry.get("reason")
    if isinstance(reason, str) and reason.strip() and len(reason.split()) < 4:
        problems.append("'reason' must say why the finding is accepted (four words or more)")
    expires = entry.get("expires")
    if "expires" in entry:
        if not isinstance(expires, datetime.date) or isinstance(expires, datetime.datetime):
            problems.append(f"'expires' must be a TOML date like 2027-03-31, got {expires!r}")
        elif expires < today:
            problems.append(
                f"expired on {expires.isoformat()}: fix the finding, or renew the entry with a "
                "new expiry and a current reason"
            )
        elif (expires - today).days > MAX_DAYS:
            problems.append(
                f"expires {expires.isoformat()}, more than {MAX_DAYS} days ahead: "
                "suppressions are reviewed at least yearly"
            )
    return problems


def scanner_args(scanner: str, ids: list[str]) -> list[str]:
    if scanner == "semgrep":
        return [f"--exclude-rule={rule}" for rule in ids]
    if scanner == "bandit":
        return [f"--skip={','.join(ids)}"] if ids else []
    if scanner == "hadolint":
        return [f"--ignore={rule}" for rule in ids]
    if scanner == "pip-audit":
        return [f"--ignore-vuln={vuln}" for vuln in ids]
    if scanner == "schemathesis":
        # The operation as schemathesis names it ("GET /path"): it is not fuzzed at all.
        return [f"--exclude-name={operation}" for operation in ids]
    raise SuppressionError(f"{scanner} takes an ignore file: use `ignorefile {scanner} PATH`")


def ignore_file(scanner: str, ids: list[str]) -> str:
    if scanner in ("gitleaks", "trivy"):
        # .gitleaksignore (finding fingerprints) and .trivyignore (CVE/misconfiguration IDs).
        return "".join(f"{item}\n" for item in ids)
    if scanner == "zap":
        # ZAP's rules file: tab-separated plugin ID, action, comment.
        return "".join(f"{item}\tIGNORE\t(.security-suppressions.toml)\n" for item in ids)
    raise SuppressionError(f"{scanner} takes command-line flags: use `args {scanner}`")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=SUPPRESSIONS)
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="fail on a malformed or expired entry")
    args_cmd = commands.add_parser("args", help="print a scanner's suppression flags")
    args_cmd.add_argument("scanner", choices=sorted(SCANNERS))
    file_cmd = commands.add_parser("ignorefile", help="write a scanner's ignore file")
    file_cmd.add_argument("scanner", choices=sorted(SCANNERS))
    file_cmd.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    today = args.today or datetime.datetime.now(datetime.UTC).date()
    try:
        entries = load(args.file, today)
        if args.command == "check":
            print(f"{args.file}: {len(entries)} suppression(s), none expired or malformed")
            return 0
        ids = [entry["id"] for entry in entries if entry["scanner"] == args.scanner]
        if args.command == "args":
            for flag in scanner_args(args.scanner, ids):
                print(flag)
        else:
            args.path.write_text(ignore_file(args.scanner, ids), encoding="utf-8")
    except SuppressionError as exc:
        print(f"security suppressions: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
