"""The ASGI application: routes, and the resources it opens at startup and closes at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

<% if cookiecutter.slack_app -%>
from <{ cookiecutter.package_name }> import __version__, health, schema, slack_endpoints
from <{ cookiecutter.package_name }>.background import BackgroundWork
<% else -%>
from <{ cookiecutter.package_name }> import __version__, api, health, schema
<% endif -%>
from <{ cookiecutter.package_name }>.credentials import Credentials<% if cookiecutter.slack_app %>, SigningSecrets<% endif %>
<%- if cookiecutter.database == 'postgresql' %>
from <{ cookiecutter.package_name }>.database import (
    client_tls,
    create_engine,
    display_url,
    session_factory,
)
<%- else %>
from <{ cookiecutter.package_name }>.database import create_engine, display_url, session_factory
<%- endif %>
<%- if cookiecutter.slack_app %>
from <{ cookiecutter.package_name }>.event_dedup import ProcessedEvents
<%- endif %>
from <{ cookiecutter.package_name }>.health import Lifecycle
from <{ cookiecutter.package_name }>.notes import NoteStore
<%- if cookiecutter.slack_app %>
from <{ cookiecutter.package_name }>.replay_guard import SeenRequests
<%- endif %>
from <{ cookiecutter.package_name }>.settings import Settings
<%- if cookiecutter.slack_app %>
from <{ cookiecutter.package_name }>.slack_app import NotesSlackApp
from <{ cookiecutter.package_name }>.slack_client import bot_token_authorize, create_web_client
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


async def _prune_slack_records(events: ProcessedEvents, seen: SeenRequests) -> None:
    while True:
        await asyncio.sleep(PRUNE_INTERVAL_SECONDS)
        try:
            removed = await events.prune()
            expired = await seen.prune()
            logger.debug("pruned slack records", events=removed, request_signatures=expired)
        except Exception:
            logger.exception("pruning slack records failed")
<%- endif %>


def create_app(settings: Settings | None = None, lifecycle: Lifecycle | None = None) -> FastAPI:
    """Build the app. Nothing connects to anything until the lifespan starts."""
    settings = settings or Settings()
    lifecycle = lifecycle or Lifecycle()
    configure_telemetry(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        credentials = Credentials(settings)
<%- if cookiecutter.database == 'postgresql' %>
        # The client certificate is re-read when cert-manager renews it: no restart either.
        database_tls = (
            (await asyncio.to_thread(client_tls, settings.database_tls_dir)).start()
            if settings.database_tls_dir is not None
            else None
        )
<%- endif %>
        # Secret reads may wait on a backend: never on the event loop.
        engine = create_engine(
            await asyncio.to_thread(credentials.database_url),
<%- if cookiecutter.database == 'postgresql' %>
            pool_size=settings.db_pool_size,
            tls=database_tls.context if database_tls is not None else None,
<%- endif %>
            # New logins read the password through the cache: a rotation needs no restart.
            secret=credentials.database_secret(),
        )
        app.state.engine = engine
        sessions = session_factory(engine)
        app.state.notes = NoteStore(sessions)
<%- if cookiecutter.slack_app %>
        work = BackgroundWork()
        app.state.slack = None
        pruner: asyncio.Task[None] | None = None
        signing_secrets: SigningSecrets | None = None
<%- endif %>
        try:
            if settings.migrations_on_start:
                await schema.upgrade(engine)
            lifecycle.head = schema.head_revisions()
<%- if cookiecutter.slack_app %>
            if settings.slack_configured:
                events = ProcessedEvents(sessions)
                seen = SeenRequests(sessions)
                # A bad bot token reference fails startup; afterwards it is read per request.
                await asyncio.to_thread(credentials.slack_bot_token)
                client = create_web_client(settings)
                slack = NotesSlackApp(
                    client=client,
                    authorize=bot_token_authorize(client, credentials.aslack_bot_token),
                    notes=app.state.notes,
                    events=events,
                    work=work,
                )
                signing_secrets = SigningSecrets(credentials.slack_signature_verifier())
                await signing_secrets.start()
                app.state.slack = SlackGateway(slack.bolt, signing_secrets, seen)
                pruner = asyncio.create_task(_prune_slack_records(events, seen))
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
            if signing_secrets is not None:
                await signing_secrets.close()
<%- endif %>
            await engine.dispose()
<%- if cookiecutter.database == 'postgresql' %>
            if database_tls is not None:
                await asyncio.to_thread(database_tls.stop)
<%- endif %>
            await asyncio.to_thread(credentials.close)
            logger.info("service stopped")

    app = FastAPI(
        title="<{ cookiecutter.project_name }>",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # One request span, from pavedroad-observability (telemetry.instrument): FastAPI's own
        # would be a second one around it.
        telemetry={"tracing": False},
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
