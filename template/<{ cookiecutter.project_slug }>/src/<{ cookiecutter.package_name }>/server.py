"""Serving the app with uvicorn, and shutting down in order on SIGTERM.

1. SIGTERM (or SIGINT): ``/readyz`` fails at once, while requests are still served for
   APP_SHUTDOWN_DELAY_SECONDS, so that load balancers stop sending new ones.
2. The listener closes; requests in flight get up to APP_DRAIN_SECONDS to finish, then the
   remaining connections are closed.
3. The lifespan shutdown waits for background work (within what is left of APP_DRAIN_SECONDS),
   closes the database pool, and the buffered spans are exported (at most 5 seconds).

A second signal skips the delay; a third stops waiting for anything. The process exits 0
after a clean shutdown. Kubernetes' terminationGracePeriodSeconds must exceed
APP_SHUTDOWN_DELAY_SECONDS + APP_DRAIN_SECONDS + 10.
"""

from __future__ import annotations

import signal
import time
from types import FrameType

import uvicorn

from <{ cookiecutter.package_name }>.app import create_app
from <{ cookiecutter.package_name }>.health import Lifecycle
from <{ cookiecutter.package_name }>.settings import Settings
from <{ cookiecutter.package_name }>.telemetry import get_logger, shutdown_telemetry

logger = get_logger(__name__)


class DrainingServer(uvicorn.Server):
    """uvicorn, with readiness failing before the listener closes."""

    def __init__(self, config: uvicorn.Config, lifecycle: Lifecycle, delay: float) -> None:
        super().__init__(config)
        self.lifecycle = lifecycle
        self.delay = delay
        self.exit_at: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Unlike uvicorn's own handler this does not re-raise the signal after shutdown: a
        # clean drain exits 0.
        if self.exit_at is None:
            self.lifecycle.draining = True
            self.exit_at = time.monotonic() + self.delay
            drain = self.config.timeout_graceful_shutdown or 0
            self.lifecycle.drain_deadline = self.exit_at + drain
            logger.info(
                "shutdown requested: readiness now fails",
                signal=signal.Signals(sig).name,
                delay_seconds=self.delay,
            )
        elif not self.should_exit:
            self.should_exit = True
        else:
            self.force_exit = True

    async def on_tick(self, counter: int) -> bool:
        if self.exit_at is not None and time.monotonic() >= self.exit_at:
            self.should_exit = True
        return await super().on_tick(counter)


def serve(settings: Settings) -> None:
    """Run the service until it is signalled to stop."""
    lifecycle = Lifecycle()
    app = create_app(settings, lifecycle)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        lifespan="on",
        log_config=None,  # pavedroad-observability owns logging
        access_log=False,  # the observability middleware writes the access log
        server_header=False,
        proxy_headers=False,
        # Longer than the idle timeout of the load balancers in front, so they close first.
        timeout_keep_alive=75,
        timeout_graceful_shutdown=max(1, round(settings.drain_seconds)),
    )
    server = DrainingServer(config, lifecycle, settings.shutdown_delay_seconds)
    try:
        server.run()
    finally:
        shutdown_telemetry(timeout_seconds=5.0)
    if not server.started:
        raise SystemExit(3)
