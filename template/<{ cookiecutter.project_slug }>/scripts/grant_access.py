"""Write a just-in-time RoleBinding: elevated access for one person or group, for a few hours.

`make grant-access USER=alice@example.com ROLE=operator HOURS=4 REASON="INC-123 restart workers"`
runs this. The binding carries the annotations policy ACC-004 checks (expires-at, granted-at,
reason, ticket, requested-by) and the label the cleanup CronJob looks for, so it is deleted when
it expires. The file is written only when every input is valid; apply it with `kubectl apply -f`
(docs/access.md). Exit status 2 on invalid input, with a message naming the field and the fix.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The longest grant, in hours; policy/access/jit_expiry.rego enforces the same maximum.
MAX_HOURS = 8
# Roles a person may be granted just-in-time. The deployer role is Argo CD's alone (ACC-005).
ROLES = ("operator", "viewer")
REASON_MIN_LENGTH = 10
PREFIX = "access.pavedroad.io/"


class GrantError(ValueError):
    """An invalid request; the message names the field and the fix."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build(
    *,
    subject: str,
    subject_kind: str,
    role: str,
    hours: str,
    reason: str,
    ticket: str,
    release: str,
    namespace: str,
    requested_by: str,
    now: datetime,
) -> tuple[str, str]:
    """The binding's name and manifest (YAML), or GrantError."""
    if not subject.strip():
        raise GrantError("USER: name the IdP user (or GROUP) to grant access to")
    if subject_kind not in ("User", "Group"):
        raise GrantError(f"subject kind {subject_kind!r}: use User or Group")
    if role not in ROLES:
        raise GrantError(
            f"ROLE={role!r}: choose one of {', '.join(ROLES)} (deployer is Argo CD's only)"
        )
    try:
        duration = int(hours)
    except ValueError:
        raise GrantError(
            f"HOURS={hours!r}: give a whole number of hours, 1 to {MAX_HOURS}"
        ) from None
    if not 1 <= duration <= MAX_HOURS:
        raise GrantError(
            f"HOURS={duration}: the maximum grant is {MAX_HOURS} hours (and at least 1)"
        )
    if len(reason.strip()) < REASON_MIN_LENGTH and not ticket.strip():
        raise GrantError(
            f"REASON: say why (at least {REASON_MIN_LENGTH} characters), "
            "or give TICKET=<incident or change id>"
        )
    if not release or not namespace:
        raise GrantError("--release and --namespace are required (the Makefile passes them)")
    expires = now + timedelta(hours=duration)
    name = f"{release}-jit-{role}-{_slug(subject)}-{now.astimezone(UTC):%Y%m%d%H%M%S}"[:253].rstrip(
        "-"
    )
    annotations = {
        "expires-at": _timestamp(expires),
        "granted-at": _timestamp(now),
        "reason": reason.strip(),
        "ticket": ticket.strip(),
        "requested-by": requested_by.strip(),
    }
    lines = [
        f"# Just-in-time {role} access for {subject_kind} {subject}, until {_timestamp(expires)}.",
        "# Written by scripts/grant_access.py; apply with kubectl."
        " The access cleanup CronJob deletes it.",
        "apiVersion: rbac.authorization.k8s.io/v1",
        "kind: RoleBinding",
        "metadata:",
        f"  name: {name}",
        f"  namespace: {namespace}",
        "  labels:",
        f'    {PREFIX}jit: "true"',
        f"    {PREFIX}role: {role}",
        "  annotations:",
        *(f"    {PREFIX}{key}: {json.dumps(value)}" for key, value in annotations.items() if value),
        "subjects:",
        f"  - kind: {subject_kind}",
        "    apiGroup: rbac.authorization.k8s.io",
        f"    name: {json.dumps(subject.strip())}",
        "roleRef:",
        "  apiGroup: rbac.authorization.k8s.io",
        "  kind: Role",
        f"  name: {release}-{role}",
    ]
    return name, "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="IdP user name (the username claim the cluster sees)")
    who.add_argument("--group", help="IdP group name")
    parser.add_argument("--role", required=True)
    parser.add_argument("--hours", required=True)
    parser.add_argument("--reason", default="")
    parser.add_argument("--ticket", default="")
    parser.add_argument("--release", required=True, help="the chart's full name (Role name prefix)")
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--requested-by", default=os.environ.get("GIT_AUTHOR_EMAIL", ""))
    parser.add_argument("--out", type=Path, default=Path("out/access/grants"))
    parser.add_argument("--now", help="grant time, RFC 3339 (tests); default: now")
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00")) if args.now else datetime.now(UTC)
    try:
        name, manifest = build(
            subject=args.user or args.group,
            subject_kind="User" if args.user else "Group",
            role=args.role,
            hours=args.hours,
            reason=args.reason,
            ticket=args.ticket,
            release=args.release,
            namespace=args.namespace,
            requested_by=args.requested_by,
            now=now,
        )
    except GrantError as error:
        print(f"grant-access: {error}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{name}.yaml"
    partial = path.with_suffix(".yaml.tmp")
    partial.write_text(manifest, encoding="utf-8")
    partial.replace(path)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
