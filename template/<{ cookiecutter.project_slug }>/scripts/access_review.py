"""Periodic access review: every RoleBinding subject and IAM principal with its last use.

Inputs (docs/audit.md#access-review), all JSON:
  --rolebindings  `kubectl get rolebindings -o json` (a List), or a JSON array of RoleBindings
  --iam           `aws iam get-account-authorization-details --filter Role User`
  --audit-log     Kubernetes audit events, one JSON object per line (for subjects' last use)
Writes --output (JSON): one entry per principal with its grants, last use, findings and a
`decision` for the reviewer to fill in (`keep` or `revoke`). Exit status 2 on unreadable input;
the output is written only when every input was read.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

STALE_DAYS = 90
JIT = "access.pavedroad.io/"


class ReviewError(ValueError):
    """An input could not be read; the message names the file and the problem."""


def _load(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ReviewError(f"{what} {path}: {error}") from None


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit_last_use(lines: list[str]) -> dict[str, datetime]:
    """Newest audit event per `User:<name>` and `Group:<name>`."""
    last: dict[str, datetime] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            raise ReviewError(f"audit log line {number}: not JSON") from None
        moment = _time(event.get("stageTimestamp") or event.get("requestReceivedTimestamp"))
        user = event.get("user") or {}
        if moment is None or not user.get("username"):
            continue
        keys = [f"User:{user['username']}"] + [f"Group:{g}" for g in user.get("groups", [])]
        for key in keys:
            if key not in last or moment > last[key]:
                last[key] = moment
    return last


def kubernetes_entries(
    bindings: Any, last_use: dict[str, datetime], now: datetime
) -> list[dict[str, Any]]:
    items = bindings.get("items", []) if isinstance(bindings, dict) else bindings
    if not isinstance(items, list):
        raise ReviewError("rolebindings: expected a List (kubectl -o json) or a JSON array")
    entries = []
    for binding in items:
        if binding.get("kind", "RoleBinding") != "RoleBinding":
            continue
        meta = binding.get("metadata", {})
        annotations = meta.get("annotations") or {}
        jit = (meta.get("labels") or {}).get(f"{JIT}jit") == "true"
        expires = _time(annotations.get(f"{JIT}expires-at"))
        for subject in binding.get("subjects", []):
            key = f"{subject.get('kind')}:{subject.get('name')}"
            findings = []
            if subject.get("kind") == "User" and not jit:
                findings.append(
                    "user bound directly without expiry: "
                    "bind an IdP group or use just-in-time access"
                )
            if jit and expires is None:
                findings.append("just-in-time binding without a readable expiry")
            if expires is not None and expires <= now:
                findings.append(
                    "expired just-in-time binding still present: is the cleanup CronJob running?"
                )
            used = last_use.get(key)
            if (
                subject.get("kind") != "ServiceAccount"
                and used is not None
                and now - used > timedelta(days=STALE_DAYS)
            ):
                findings.append(f"unused for more than {STALE_DAYS} days")
            entries.append(
                {
                    "source": "kubernetes",
                    "principal": key,
                    "namespace": meta.get("namespace"),
                    "binding": meta.get("name"),
                    "role": binding.get("roleRef", {}).get("name"),
                    "expires_at": annotations.get(f"{JIT}expires-at"),
                    "last_used": used.isoformat() if used else None,
                    "findings": findings,
                    "decision": "",
                }
            )
    return entries


def iam_entries(details: Any, now: datetime) -> list[dict[str, Any]]:
    if not isinstance(details, dict):
        raise ReviewError("iam: expected the output of aws iam get-account-authorization-details")
    entries = []
    for role in details.get("RoleDetailList", []):
        used = _time((role.get("RoleLastUsed") or {}).get("LastUsedDate"))
        entries.append(_iam_entry("role", role.get("Arn"), role, used, now))
    for user in details.get("UserDetailList", []):
        candidates = [_time(user.get("PasswordLastUsed"))] + [
            _time((key.get("AccessKeyLastUsed") or {}).get("LastUsedDate"))
            for key in user.get("AccessKeys", [])
        ]
        used = max((c for c in candidates if c), default=None)
        entry = _iam_entry("user", user.get("Arn"), user, used, now)
        entry["findings"].insert(
            0, "IAM user: prefer Identity Center or roles; long-lived credentials"
        )
        entries.append(entry)
    return entries


def _iam_entry(
    kind: str, arn: str | None, detail: dict[str, Any], used: datetime | None, now: datetime
) -> dict[str, Any]:
    findings = []
    created = _time(detail.get("CreateDate"))
    if used is None and created is not None and now - created > timedelta(days=STALE_DAYS):
        findings.append(f"never used, created more than {STALE_DAYS} days ago")
    elif used is not None and now - used > timedelta(days=STALE_DAYS):
        findings.append(f"unused for more than {STALE_DAYS} days")
    policies = [p.get("PolicyName") for p in detail.get("AttachedManagedPolicies", [])]
    if "AdministratorAccess" in policies:
        findings.append("has AdministratorAccess")
    return {
        "source": f"aws-iam-{kind}",
        "principal": arn,
        "policies": policies,
        "last_used": used.isoformat() if used else None,
        "findings": findings,
        "decision": "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rolebindings", type=Path, action="append", default=[])
    parser.add_argument("--iam", type=Path)
    parser.add_argument("--audit-log", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--now", help="review time, RFC 3339 (tests); default: now")
    args = parser.parse_args(argv)
    now = _time(args.now) if args.now else datetime.now(UTC)
    if now is None:
        print(f"access-review: --now {args.now!r} is not an RFC 3339 time", file=sys.stderr)
        return 2
    if not args.rolebindings and not args.iam:
        print(
            "access-review: give --rolebindings and/or --iam (docs/audit.md#access-review)",
            file=sys.stderr,
        )
        return 2
    try:
        last_use: dict[str, datetime] = {}
        if args.audit_log:
            try:
                last_use = audit_last_use(args.audit_log.read_text(encoding="utf-8").splitlines())
            except OSError as error:
                raise ReviewError(f"audit log {args.audit_log}: {error}") from None
        entries: list[dict[str, Any]] = []
        for path in args.rolebindings:
            entries += kubernetes_entries(_load(path, "rolebindings"), last_use, now)
        if args.iam:
            entries += iam_entries(_load(args.iam, "iam"), now)
    except ReviewError as error:
        print(f"access-review: {error}", file=sys.stderr)
        return 2
    review = {
        "reviewed_at": now.isoformat(),
        "stale_after_days": STALE_DAYS,
        "inputs": [str(p) for p in [*args.rolebindings, args.iam, args.audit_log] if p],
        "summary": {
            "principals": len(entries),
            "with_findings": sum(1 for e in entries if e["findings"]),
        },
        "entries": entries,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    partial = args.output.with_suffix(args.output.suffix + ".tmp")
    partial.write_text(json.dumps(review, indent=2) + "\n", encoding="utf-8")
    partial.replace(args.output)
    print(
        f"access-review: {len(entries)} principals, "
        f"{review['summary']['with_findings']} with findings -> {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
