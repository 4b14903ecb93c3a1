"""Notes: the service's feature. Saved and listed per workspace (team) and channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from <{ cookiecutter.package_name }>.models import NOTE_ID_MAX, NOTE_MAX_LENGTH, Note

LIST_LIMIT = 20


class InvalidNoteError(ValueError):
    """The note text is empty or too long; the message says which and the limit."""


@dataclass(frozen=True, slots=True)
class SavedNote:
    id: int
    team_id: str
    channel_id: str
    author_id: str
    text: str
    created_at: datetime


def _saved(note: Note) -> SavedNote:
    return SavedNote(
        id=note.id,
        team_id=note.team_id,
        channel_id=note.channel_id,
        author_id=note.author_id,
        text=note.text,
        created_at=_aware(note.created_at),
    )


def _aware(moment: datetime) -> datetime:
    """SQLite hands back CURRENT_TIMESTAMP (UTC) without its zone; PostgreSQL's timestamptz has
    one. The API documents created_at as an RFC 3339 date-time, which needs the offset."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def clean_text(text: str) -> str:
    """The note text to store: stripped, non-empty and at most NOTE_MAX_LENGTH characters."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidNoteError("a note needs some text, e.g. `add Deploy freeze starts Friday`")
    if len(cleaned) > NOTE_MAX_LENGTH:
        raise InvalidNoteError(
            f"a note is at most {NOTE_MAX_LENGTH} characters; this one has {len(cleaned)}"
        )
    return cleaned


class NoteStore:
    """Reads and writes notes. Every query is scoped to one workspace and channel."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, *, team_id: str, channel_id: str, author_id: str, text: str) -> SavedNote:
        note = Note(
            team_id=team_id, channel_id=channel_id, author_id=author_id, text=clean_text(text)
        )
        async with self._sessions.begin() as session:
            session.add(note)
            await session.flush()
            return _saved(note)

    async def list(
        self, *, team_id: str, channel_id: str, limit: int = LIST_LIMIT
    ) -> Sequence[SavedNote]:
        """The newest ``limit`` notes of the channel, newest first."""
        query = (
            select(Note)
            .where(Note.team_id == team_id, Note.channel_id == channel_id)
            .order_by(Note.created_at.desc(), Note.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            return [_saved(note) for note in (await session.scalars(query)).all()]

    async def count(self, *, team_id: str, channel_id: str) -> int:
        query = select(func.count()).where(Note.team_id == team_id, Note.channel_id == channel_id)
        async with self._sessions() as session:
            return int(await session.scalar(query) or 0)

    async def delete(self, *, team_id: str, channel_id: str, note_id: int) -> bool:
        """Delete one note of the channel; False if there is no such note there."""
        if not 1 <= note_id <= NOTE_ID_MAX:  # no such row, and the driver would refuse the value
            return False
        query = delete(Note).where(
            Note.id == note_id, Note.team_id == team_id, Note.channel_id == channel_id
        )
        async with self._sessions.begin() as session:
            result = await session.execute(query)
            return bool(result.rowcount)  # type: ignore[attr-defined]
