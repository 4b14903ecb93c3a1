"""Deterministic inputs shared by the observability benchmarks.

Secrets are assembled at run time from harmless pieces, so no file here trips a secret scanner.
"""

from __future__ import annotations

import random
import string
import uuid
from typing import Any

_ALNUM = string.ascii_letters + string.digits


def _chars(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def secrets(rng: random.Random) -> list[str]:
    """One sample of each secret kind the redactor knows."""
    return [
        "xox" + "b-1234567890-1234567890123-" + _chars(rng, _ALNUM, 24),
        "https://hooks." + "slack.com/services/T0123ABCD/B0123ABCD/" + _chars(rng, _ALNUM, 24),
        "AK" + "IA" + _chars(rng, string.ascii_uppercase + string.digits, 16),
        "gh" + "p_" + _chars(rng, _ALNUM, 36),
        "gl" + "pat-" + _chars(rng, _ALNUM, 20),
        "sk" + "_live_" + _chars(rng, _ALNUM, 24),
        "AI" + "za" + _chars(rng, _ALNUM, 35),
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJVMDEyM0FCQ0QifQ." + _chars(rng, _ALNUM, 43),
        "Bearer " + _chars(rng, _ALNUM, 32),
        "postgresql://app:" + _chars(rng, _ALNUM, 12) + "@db:5432/app",
        "4111 1111 1111 1111",
        "alice" + str(rng.randrange(1000)) + "@example.com",
    ]


EVENTS = [
    "request handled",
    "user signed in",
    "slack event received",
    "query executed",
    "cache miss",
    "job finished",
]
ROUTES = ["/slack/events", "/api/teams/{team_id}", "/api/users/{user_id}", "/healthz"]


def log_records(count: int, *, seed: int = 7, secret_share: float = 0.02) -> list[dict[str, Any]]:
    """Records as a service logs them: event name, a handful of typed fields, IDs that differ
    on every record, and a secret in ``secret_share`` of them."""
    rng = random.Random(seed)
    pool = secrets(rng)
    records = []
    for index in range(count):
        record: dict[str, Any] = {
            "event": rng.choice(EVENTS),
            "route": rng.choice(ROUTES),
            "method": rng.choice(["GET", "POST"]),
            "status": rng.choice([200, 200, 200, 201, 404, 500]),
            "duration_ms": round(rng.uniform(0.5, 250.0), 3),
            "user_id": "U" + _chars(rng, string.ascii_uppercase + string.digits, 8),
            "item_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "attempt": index % 3,
        }
        if rng.random() < secret_share:
            record["note"] = "retrying with " + rng.choice(pool)
        records.append(record)
    return records


def text_corpus(count: int, *, seed: int = 11, secret_share: float = 0.2) -> list[str]:
    """Unique log-like strings of mixed length; ``secret_share`` of them contain a secret."""
    rng = random.Random(seed)
    pool = secrets(rng)
    words = [
        "request",
        "handled",
        "for",
        "team",
        "T0123ABCD",
        "user",
        "U0123ABCD",
        "in",
        "ms",
        "trace",
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "route",
        "/api/users/{user_id}",
        "status",
        "200",
        "retry",
        "scheduled",
        "at",
        "2024-01-15T10:30:00Z",
        "sha",
        "3f786850e387550f",
    ]
    texts = []
    for index in range(count):
        parts = [rng.choice(words) for _ in range(rng.randrange(3, 30))]
        parts.append(str(index))
        if rng.random() < secret_share:
            parts.insert(rng.randrange(len(parts)), rng.choice(pool))
        texts.append(" ".join(parts))
    return texts
