"""Alembic from inside the service: apply migrations, and tell whether the schema is at head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

# alembic.ini and migrations/ sit at the project root: the repository root in a checkout,
# /app in the image (the package is src/<pkg> there and /app/lib/<pkg> here).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(root: Path | None = None) -> Config:
    """The project's Alembic configuration, with paths independent of the working directory."""
    root = root or PROJECT_ROOT
    ini = root / "alembic.ini"
    if not ini.is_file():
        raise FileNotFoundError(
            f"{ini} is missing: the service expects alembic.ini and migrations/ at {root}"
        )
    config = Config(str(ini))
    config.set_main_option("script_location", str(root / "migrations"))
    # The service configures logging itself; env.py must not replace it.
    config.attributes["configure_logging"] = False
    return config


def head_revisions(config: Config | None = None) -> frozenset[str]:
    """The revisions that are heads in migrations/versions."""
    script = ScriptDirectory.from_config(config or alembic_config())
    return frozenset(script.get_heads())


def _current(connection: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


async def current_revisions(engine: AsyncEngine) -> frozenset[str]:
    """The revisions the database is at (empty for a database never migrated)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _downgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` in one transaction (PostgreSQL DDL is transactional)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, alembic_config(), revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Revert migrations down to ``revision`` (``base`` for an empty schema)."""
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, alembic_config(), revision)
