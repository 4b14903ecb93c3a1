"""Delete expired just-in-time RoleBindings in this namespace; log one JSON record per deletion.

Run by the chart's access cleanup CronJob in the service image (standard library only). It lists
the RoleBindings labelled access.pavedroad.io/jit=true and deletes each whose
access.pavedroad.io/expires-at (RFC 3339, UTC) has passed, or is missing or unreadable (fail
closed). Each delete carries the binding's uid and resourceVersion as preconditions, so a binding
re-granted under the same name in the meantime is never removed. Exit status 1 if any delete failed.

Environment (for tests and non-standard clusters): JIT_API_URL (default
https://kubernetes.default.svc), JIT_CREDENTIALS_DIR (token, ca.crt, namespace), JIT_NAMESPACE.
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LABEL = "access.pavedroad.io/jit"
EXPIRES = "access.pavedroad.io/expires-at"
API = "/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings"


def parse_expiry(value: str | None) -> datetime | None:
    """The expiry as an aware datetime, or None when absent or not RFC 3339 with a zone."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def expired(binding: dict[str, Any], now: datetime) -> str | None:
    """Why the binding must go (`expired`, `missing-expiry`, `invalid-expiry`), or None."""
    raw = (binding.get("metadata", {}).get("annotations") or {}).get(EXPIRES)
    if raw is None:
        return "missing-expiry"
    moment = parse_expiry(raw)
    if moment is None:
        return "invalid-expiry"
    return "expired" if moment <= now else None


class Client:
    def __init__(self, base: str, token: str, namespace: str, ca_file: Path | None) -> None:
        self.base, self.token, self.namespace = base.rstrip("/"), token, namespace
        self.context = ssl.create_default_context(cafile=str(ca_file)) if ca_file else None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10, context=self.context) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")


def log(event: str, **fields: Any) -> None:
    record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, **fields}
    print(json.dumps(record, sort_keys=True), flush=True)


def run(client: Client, now: datetime) -> int:
    path = API.format(namespace=client.namespace)
    selector = urllib.parse.urlencode({"labelSelector": f"{LABEL}=true"})
    listing = client.call("GET", f"{path}?{selector}")
    failures = 0
    for binding in listing.get("items", []):
        meta = binding.get("metadata", {})
        reason = expired(binding, now)
        if reason is None:
            continue
        annotations = meta.get("annotations") or {}
        record = {
            "namespace": client.namespace,
            "rolebinding": meta.get("name"),
            "role": binding.get("roleRef", {}).get("name"),
            "subjects": [f"{s.get('kind')}:{s.get('name')}" for s in binding.get("subjects", [])],
            "expires_at": annotations.get(EXPIRES),
            "ticket": annotations.get("access.pavedroad.io/ticket"),
            "reason": annotations.get("access.pavedroad.io/reason"),
            "cause": reason,
        }
        options = {
            "kind": "DeleteOptions",
            "apiVersion": "v1",
            "preconditions": {
                "uid": meta.get("uid"),
                "resourceVersion": meta.get("resourceVersion"),
            },
        }
        try:
            client.call("DELETE", f"{path}/{urllib.parse.quote(str(meta.get('name')))}", options)
        except urllib.error.HTTPError as error:
            if error.code in (404, 409):  # already gone, or changed since listed: next run decides
                log("jit_binding_skipped", status=error.code, **record)
                continue
            failures += 1
            log("jit_binding_delete_failed", status=error.code, **record)
            continue
        log("jit_binding_deleted", **record)
    log("jit_cleanup_finished", namespace=client.namespace, failures=failures)
    return 1 if failures else 0


def main() -> int:
    credentials = Path(
        os.environ.get("JIT_CREDENTIALS_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
    )
    base = os.environ.get("JIT_API_URL", "https://kubernetes.default.svc")
    namespace = os.environ.get("JIT_NAMESPACE") or (credentials / "namespace").read_text().strip()
    token = (credentials / "token").read_text().strip()
    ca_file = credentials / "ca.crt" if base.startswith("https://") else None
    return run(Client(base, token, namespace, ca_file), datetime.now(UTC))


if __name__ == "__main__":
    sys.exit(main())
