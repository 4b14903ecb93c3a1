"""The ASGI application: routes, and the resources it opens at startup and closes at shutdown."""

from __future__ import annotations

<% if cookiecutter.slack_app -%>
import asyncio
<% endif -%>
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

<% if cookiecutter.slack_app -%>
from <{ cookiecutter.package_name }> import __version__, health, schema, slack_endpoints
from <{ cookiecutter.package_name }>.background import BackgroundWork
<% else -%>
from <{ cookiecutter.package_name }> import __version__, api, health, schema
<% endif -%>
from <{ cookiecutter.package_name }>.credentials import Credentials
from <{ cookiecutter.package_name }>.database import create_engine, display_url, session_factory
<%- if cookiecutter.slack_app %>
from <{ cookiecutter.package_name }>.event_dedup import ProcessedEvents
<%- endif %>
from <{ cookiecutter.package_name }>.health import Lifecycle
from <{ cookiecutter.package_name }>.notes import NoteStore
from <{ cookiecutter.package_name }>.settings import Settings
<%- if cookiecutter.slack_app %>
from <{ cookiecutter.package_name }>.slack_app import NotesSlackApp
from <{ cookiecutter.package_name }>.slack_client import create_web_client
from <{ cookiecutter.package_name }>.slack_endpoints import SlackGateway
<%- endif %>
from <{ cookiecutter.package_name }>.telemetry import (
    configure_telemetry,
    get_logger,
    instrument,
)

logger = get_logger(__name__)
<%- if cookiecutter.slack_app %>
PRUNE_INTERVAL_SECONDS = 600.0


async def _prune_processed_events(events: ProcessedEvents) -> None:
    while True:
        await asyncio.sleep(PRUNE_INTERVAL_SECONDS)
        try:
            removed = await events.prune()
            logger.debug("pruned processed slack events", removed=removed)
        except Exception:
            logger.exception("pruning processed slack events failed")
<%- endif %>


def create_app(settings: Settings | None = None, lifecycle: Lifecycle | None = None) -> FastAPI:
    """Build the app. Nothing connects to anything until the lifespan starts."""
    settings = settings or Settings()
    lifecycle = lifecycle or Lifecycle()
    configure_telemetry(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        credentials = Credentials(settings)
        engine = create_engine(
            credentials.database_url(),
<%- if cookiecutter.database == 'postgresql' %>
            pool_size=settings.db_pool_size,
<%- endif %>
        )
        app.state.engine = engine
        sessions = session_factory(engine)
        app.state.notes = NoteStore(sessions)
<%- if cookiecutter.slack_app %>
        work = BackgroundWork()
        app.state.slack = None
        pruner: asyncio.Task[None] | None = None
<%- endif %>
        try:
            if settings.migrations_on_start:
                await schema.upgrade(engine)
            lifecycle.head = schema.head_revisions()
<%- if cookiecutter.slack_app %>
            if settings.slack_configured:
                events = ProcessedEvents(sessions)
                client = create_web_client(settings, credentials.slack_bot_token().reveal())
                slack = NotesSlackApp(
                    client=client, notes=app.state.notes, events=events, work=work
                )
                app.state.slack = SlackGateway(slack.bolt, credentials.slack_signature_verifier())
                pruner = asyncio.create_task(_prune_processed_events(events))
            else:
                logger.warning(
                    "Slack is not configured; /slack/* answers 503 until "
                    "APP_SLACK_SIGNING_SECRET_REF and APP_SLACK_BOT_TOKEN_REF are set"
                )
<%- endif %>
            lifecycle.started = True
            logger.info(
                "service started",
                env=settings.env,
                database=display_url(engine),
                version=__version__,
            )
            yield
        finally:
            lifecycle.draining = True
<%- if cookiecutter.slack_app %>
            unfinished = await work.wait(lifecycle.drain_time_left(settings.drain_seconds))
            if unfinished:
                logger.warning("background work cut short at shutdown", tasks=unfinished)
            if pruner is not None:
                pruner.cancel()
<%- endif %>
            await engine.dispose()
            credentials.close()
            logger.info("service stopped")

    app = FastAPI(
        title="<{ cookiecutter.project_name }>",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.lifecycle = lifecycle
    app.include_router(health.router)
<%- if cookiecutter.slack_app %>
    app.state.slack = None
    app.include_router(slack_endpoints.router)
<%- else %>
    app.include_router(api.router)
<%- endif %>
    instrument(app, settings)
    return app
