"""Alembic environment.

The service passes the connection to migrate in ``config.attributes["connection"]`` (see
the ``schema`` module of the service). From the ``alembic`` command line there is none, and the
database named by the APP_* settings is used, exactly as the service would resolve it.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from <{ cookiecutter.package_name }>.models import Base

config = context.config
target_metadata = Base.metadata

if config.config_file_name and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _settings_url() -> str:
    from <{ cookiecutter.package_name }>.credentials import Credentials
    from <{ cookiecutter.package_name }>.settings import Settings

    with Credentials(Settings()) as credentials:
        return credentials.database_url()


async def _run_from_settings() -> None:
    from <{ cookiecutter.package_name }>.database import create_engine

    engine = create_engine(_settings_url())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_configure)
    finally:
        await engine.dispose()


def run_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`), for review."""
    context.configure(url=_settings_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_from_settings())


if context.is_offline_mode():
    run_offline()
else:
    run_online()
