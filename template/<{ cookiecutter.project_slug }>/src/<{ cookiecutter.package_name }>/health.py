"""Health endpoints and the lifecycle state they report.

* ``/livez``: the process serves HTTP. Never checks dependencies (a database outage must not
  restart every replica).
* ``/startupz``: startup finished (secrets resolved, database connected<% if cookiecutter.database == 'none' %>, schema created<% endif %>).
* ``/readyz``: this replica should get traffic: started, not draining, database reachable and
  its schema at the newest migration. It fails first on SIGTERM (see ``server``).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from <{ cookiecutter.package_name }>.schema import current_revisions

CHECK_TIMEOUT_SECONDS = 2.0
# Probes come every few seconds from several sources; one database round trip per second is enough.
CHECK_CACHE_SECONDS = 1.0


@dataclass
class Lifecycle:
    """Where the process is in its life; shared by the app and the server."""

    started: bool = False
    draining: bool = False
    # When shutdown must be over (time.monotonic()); set on SIGTERM.
    drain_deadline: float | None = None
    head: frozenset[str] = frozenset()
    _last_check: tuple[float, str | None] = field(default=(0.0, None))

    def drain_time_left(self, default: float) -> float:
        """Seconds left for shutdown work: until the deadline if one is set, else ``default``."""
        if self.drain_deadline is None:
            return default
        return max(0.0, self.drain_deadline - time.monotonic())

    async def database_problem(self, engine: AsyncEngine) -> str | None:
        """None when the database answers and is at head, else what is wrong."""
        checked_at, problem = self._last_check
        now = time.monotonic()
        if now - checked_at < CHECK_CACHE_SECONDS:
            return problem
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
                current = await current_revisions(engine)
        except TimeoutError:
            problem = f"database did not answer within {CHECK_TIMEOUT_SECONDS:g}s"
        except Exception as exc:
            problem = f"database unreachable: {type(exc).__name__}"
        else:
            if current != self.head:
                problem = (
                    f"schema at {sorted(current) or 'no revision'}, expected {sorted(self.head)}: "
                    "run the migrations (`python -m <{ cookiecutter.package_name }> migrate`)"
                )
            else:
                problem = None
        self._last_check = (now, problem)
        return problem


router = APIRouter(tags=["health"])


def _status(ok: bool, **detail: object) -> JSONResponse:
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", **detail},
        status_code=200 if ok else 503,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/livez")
async def livez() -> JSONResponse:
    return _status(True)


@router.get("/startupz")
async def startupz(request: Request) -> JSONResponse:
    lifecycle: Lifecycle = request.app.state.lifecycle
    return _status(lifecycle.started)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    lifecycle: Lifecycle = request.app.state.lifecycle
    if lifecycle.draining:
        return _status(False, reason="shutting down")
    if not lifecycle.started:
        return _status(False, reason="starting")
    problem = await lifecycle.database_problem(request.app.state.engine)
    if problem is not None:
        return _status(False, reason=problem)
    return _status(True)
