"""Migrations: every revision goes up and down<% if cookiecutter.database == 'postgresql' %> on SQLite and on a real PostgreSQL<% endif %>, the
models match the schema they build, and destructive steps are confined to contract revisions."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from <{ cookiecutter.package_name }> import schema
from <{ cookiecutter.package_name }>.database import create_engine
from <{ cookiecutter.package_name }>.models import Base
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
<%- if cookiecutter.database == 'none' %>


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    # The service runs on an in-memory SQLite; a file shows the same schema between connections.
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"
<%- endif %>


checker = load_script("scripts/check_migrations.py")


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _diff(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(schema.alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_every_revision_goes_up_and_down(database_url: str) -> None:
    async def run() -> None:
        engine = create_engine(database_url)
        try:
            for revision in _revisions():
                await schema.upgrade(engine, revision)
                assert await schema.current_revisions(engine) == {revision}
            async with engine.connect() as connection:
                assert await connection.run_sync(_tables) == set(Base.metadata.tables)
            for _ in _revisions():
                await schema.downgrade(engine, "-1")
            assert await schema.current_revisions(engine) == frozenset()
            async with engine.connect() as connection:
                assert await connection.run_sync(_tables) == set()
            await schema.upgrade(engine)  # and up again from nothing
            assert await schema.current_revisions(engine) == schema.head_revisions()
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_the_models_match_the_migrated_schema(database_url: str) -> None:
    async def run() -> list[object]:
        engine = create_engine(database_url)
        try:
            await schema.upgrade(engine)
            async with engine.connect() as connection:
                return await connection.run_sync(_diff)
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == [], "the models and the migrations disagree: add a revision"


def test_the_revisions_have_no_destructive_step_outside_a_contract() -> None:
    assert checker.main([str(ROOT / "migrations/versions")]) == 0


REVISION = """
from alembic import op
import sqlalchemy as sa
revision = "x"
down_revision = None
phase = "{phase}"
def upgrade():
    {body}
def downgrade():
    pass
"""


@pytest.mark.parametrize(
    "body",
    [
        'op.drop_column("notes", "text")',
        'op.drop_table("notes")',
        'op.alter_column("notes", "text", nullable=False)',
        'op.alter_column("notes", "text", new_column_name="body")',
        'op.execute("ALTER TABLE notes DROP COLUMN text")',
        'op.execute(sa.text("DELETE FROM notes"))',
        'with op.batch_alter_table("notes") as batch:\n        batch.drop_column("text")',
    ],
)
def test_the_check_flags_destructive_steps_unless_contract(tmp_path: Path, body: str) -> None:
    revision = tmp_path / "0002_example.py"
    revision.write_text(REVISION.format(phase="expand", body=body))
    findings = checker.check_file(revision)
    assert findings
    assert "contract" in findings[0]
    revision.write_text(REVISION.format(phase="contract", body=body))
    assert checker.check_file(revision) == []


def test_the_check_requires_a_phase(tmp_path: Path) -> None:
    revision = tmp_path / "0002_example.py"
    revision.write_text(REVISION.format(phase="sometime", body="pass"))
    assert "phase" in checker.check_file(revision)[0]


# docs/migrations.md walks through an expand and a contract revision; they must really work.
_EXAMPLE = re.compile(r"```python\n# (migrations/versions/\S+\.py)\n(.*?)```", re.DOTALL)


@pytest.fixture
def migrations_with_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "alembic.ini", root / "alembic.ini")
    shutil.copytree(ROOT / "migrations", root / "migrations")
    examples = _EXAMPLE.findall((ROOT / "docs/migrations.md").read_text(encoding="utf-8"))
    assert len(examples) == 2, "docs/migrations.md should show an expand and a contract revision"
    for relpath, code in examples:
        (root / relpath).write_text(code, encoding="utf-8")
    monkeypatch.setattr(schema, "PROJECT_ROOT", root)
    return root


def test_the_documented_example_revisions_work(
    migrations_with_examples: Path, database_url: str
) -> None:
    assert checker.main([str(migrations_with_examples / "migrations/versions")]) == 0

    async def run() -> None:
        engine = create_engine(database_url)
        try:
            await schema.upgrade(engine, "head")
            await schema.downgrade(engine, "base")
            await schema.upgrade(engine, "head")
        finally:
            await engine.dispose()

    asyncio.run(run())
