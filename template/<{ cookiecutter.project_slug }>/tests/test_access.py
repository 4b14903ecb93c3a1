"""Access governance scripts: just-in-time grants, the access review, and the expiry cleanup.

The cleanup (charts/.../files/jit_cleanup.py) runs against a stand-in Kubernetes API served on
127.0.0.1, so list, delete with preconditions, and the deletion records are real HTTP exchanges.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "access"
NOW = "2026-04-01T12:00:00Z"


grant_access = load_script("scripts/grant_access.py")
access_review = load_script("scripts/access_review.py")
jit_cleanup = load_script("charts/*/files/jit_cleanup.py")


def _grant(tmp_path: Path, *extra: str) -> tuple[int, list[Path]]:
    args = ["--release", "svc", "--namespace", "svc", "--out", str(tmp_path), "--now", NOW, *extra]
    return grant_access.main(args), sorted(tmp_path.glob("*"))


def test_grant_writes_a_time_bound_binding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, files = _grant(
        tmp_path,
        "--user",
        "alice@example.com",
        "--role",
        "operator",
        "--hours",
        "4",
        "--reason",
        "INC-7 restart stuck workers",
        "--ticket",
        "INC-7",
    )
    assert status == 0
    assert [f.name for f in files] == ["svc-jit-operator-alice-example-com-20260401120000.yaml"]
    text = files[0].read_text()
    assert 'access.pavedroad.io/expires-at: "2026-04-01T16:00:00Z"' in text
    assert 'access.pavedroad.io/granted-at: "2026-04-01T12:00:00Z"' in text
    assert 'access.pavedroad.io/jit: "true"' in text
    assert "  name: svc-operator" in text
    assert capsys.readouterr().out.strip() == str(files[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hours", "9"], "HOURS=9: the maximum grant is 8 hours"),
        (["--hours", "four"], "HOURS='four': give a whole number of hours"),
        (["--reason", "fix"], "REASON: say why"),
        (["--role", "deployer"], "ROLE='deployer': choose one of operator, viewer"),
        (["--user", " "], "USER: name the IdP user"),
    ],
)
def test_grant_rejects_invalid_requests_without_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    base = {
        "--user": "alice@example.com",
        "--role": "operator",
        "--hours": "4",
        "--reason": "restart stuck workers",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    status, files = _grant(tmp_path, *[item for pair in base.items() for item in pair])
    assert status == 2
    assert files == []
    assert message in capsys.readouterr().err


def test_grant_maximum_matches_the_policy() -> None:
    rego = (ROOT / "policy" / "access" / "jit_expiry.rego").read_text()
    assert f"max_hours := {grant_access.MAX_HOURS}\n" in rego


def test_access_review_lists_principals_with_findings(tmp_path: Path) -> None:
    output = tmp_path / "review.json"
    status = access_review.main(
        [
            "--rolebindings",
            str(FIXTURES / "rolebindings.json"),
            "--iam",
            str(FIXTURES / "iam.json"),
            "--audit-log",
            str(FIXTURES / "audit.jsonl"),
            "--output",
            str(output),
            "--now",
            NOW,
        ]
    )
    assert status == 0
    review = json.loads(output.read_text())
    entries = {e["principal"]: e for e in review["entries"]}
    assert entries["Group:team-engineers"]["findings"] == []
    assert entries["Group:team-engineers"]["last_used"] == "2026-03-30T09:00:00+00:00"
    assert entries["ServiceAccount:argocd-application-controller"]["findings"] == []
    assert any("expired just-in-time" in f for f in entries["User:alice@example.com"]["findings"])
    bob = entries["User:bob@example.com"]["findings"]
    assert any("bound directly" in f for f in bob)
    assert any("unused for more than 90 days" in f for f in bob)
    legacy = entries["arn:aws:iam::123456789012:user/ci-legacy"]["findings"]
    assert "has AdministratorAccess" in legacy
    assert any("never used" in f for f in legacy)
    assert entries["arn:aws:iam::123456789012:role/svc-prod"]["findings"] == []
    assert all(e["decision"] == "" for e in review["entries"])
    assert review["summary"] == {"principals": 7, "with_findings": 4}


def test_access_review_rejects_bad_input_without_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    output = tmp_path / "review.json"
    assert access_review.main(["--rolebindings", str(broken), "--output", str(output)]) == 2
    assert not output.exists()
    assert f"rolebindings {broken}" in capsys.readouterr().err


class _FakeAPI(BaseHTTPRequestHandler):
    bindings: dict[str, dict[str, Any]]
    deleted: list[tuple[str, dict[str, Any]]]
    conflict: set[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        assert self.headers["Authorization"] == "Bearer test-token"
        assert (
            self.path == "/apis/rbac.authorization.k8s.io/v1/namespaces/svc/rolebindings"
            "?labelSelector=access.pavedroad.io%2Fjit%3Dtrue"
        )
        self._send(200, {"kind": "RoleBindingList", "items": list(self.bindings.values())})

    def do_DELETE(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if name in self.conflict:
            self._send(409, {"kind": "Status", "reason": "Conflict"})
            return
        self.deleted.append((name, body))
        self._send(200, {"kind": "Status", "status": "Success"})


def _binding(name: str, expires: str | None) -> dict[str, Any]:
    annotations = {"access.pavedroad.io/ticket": "INC-7"}
    if expires is not None:
        annotations["access.pavedroad.io/expires-at"] = expires
    return {
        "metadata": {
            "name": name,
            "uid": f"uid-{name}",
            "resourceVersion": "7",
            "annotations": annotations,
        },
        "subjects": [{"kind": "User", "name": "alice@example.com"}],
        "roleRef": {"kind": "Role", "name": "svc-operator"},
    }


@pytest.fixture
def fake_api() -> Iterator[tuple[str, type[_FakeAPI]]]:
    handler = type(
        "Handler",
        (_FakeAPI,),
        {
            "bindings": {
                "expired": _binding("expired", "2026-04-01T11:59:00Z"),
                "current": _binding("current", "2026-04-01T13:00:00Z"),
                "no-expiry": _binding("no-expiry", None),
                "garbled": _binding("garbled", "next tuesday"),
                "regranted": _binding("regranted", "2026-04-01T10:00:00Z"),
            },
            "deleted": [],
            "conflict": {"regranted"},
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_cleanup_deletes_expired_bindings_and_records_each(
    fake_api: tuple[str, type[_FakeAPI]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, handler = fake_api
    client = jit_cleanup.Client(url, "test-token", "svc", None)
    now = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    assert jit_cleanup.run(client, now) == 0
    assert sorted(name for name, _ in handler.deleted) == ["expired", "garbled", "no-expiry"]
    for name, options in handler.deleted:
        assert options["preconditions"] == {"uid": f"uid-{name}", "resourceVersion": "7"}
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    deleted = {r["rolebinding"]: r for r in records if r["event"] == "jit_binding_deleted"}
    assert {name: r["cause"] for name, r in deleted.items()} == {
        "expired": "expired",
        "garbled": "invalid-expiry",
        "no-expiry": "missing-expiry",
    }
    assert deleted["expired"]["subjects"] == ["User:alice@example.com"]
    assert deleted["expired"]["ticket"] == "INC-7"
    assert [r["rolebinding"] for r in records if r["event"] == "jit_binding_skipped"] == [
        "regranted"
    ]
    assert records[-1] == {**records[-1], "event": "jit_cleanup_finished", "failures": 0}
