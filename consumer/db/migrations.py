"""Schema migrations: the numbered ``.sql`` files of the top-level ``sql/`` folder, applied in order,
each once, each recorded in ``schema_migrations`` with the checksum of its text.

The files ship inside the wheel as the data package ``consumer.db.sql`` (the build maps ``sql/``
there), so an installed package can migrate; a checkout (or an editable install) reads ``sql/``
itself. A migration edited after it was applied is refused: the database was built from the old
text, so the change must come as a new numbered file.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

import asyncpg

from consumer.db.pool import TRANSIENT_DB_ERRORS, unreachable_message
from consumer.errors import ConfigurationError, StoreUnavailableError

log = logging.getLogger(__name__)

CHECKOUT_SQL = Path(__file__).resolve().parents[2] / "sql"
"""Where a checkout keeps the migrations (the wheel carries them as ``consumer.db.sql``)."""

_LOCK_ID = 727001  # the advisory lock that serialises concurrent starts of several instances


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered ``.sql`` file."""

    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the text, line endings folded (a checkout with CRLF is the same file)."""
        return hashlib.sha256(self.sql.replace("\r\n", "\n").encode("utf-8")).hexdigest()


class EditedMigrationError(ConfigurationError):
    """An applied migration's file no longer has the text that was applied."""

    reason = "edited_migration"


def migrations_folder() -> Traversable:
    """The shipped migrations (``consumer.db.sql`` in a wheel), else the checkout's ``sql/``."""
    try:
        return importlib.resources.files("consumer.db.sql")
    except ModuleNotFoundError:
        return CHECKOUT_SQL


def read_migrations(folder: Traversable | Path | None = None) -> list[Migration]:
    """The numbered ``.sql`` files of ``folder`` (default: ``migrations_folder()``), in order."""
    folder = migrations_folder() if folder is None else folder
    files = sorted(
        (entry for entry in folder.iterdir() if _numbered(entry.name)),
        key=lambda entry: entry.name,
    )
    if not files:
        msg = f"no migrations found in {folder}"
        raise FileNotFoundError(msg)
    return [Migration(entry.name, entry.read_text(encoding="utf-8")) for entry in files]


@cache
def shipped_migrations() -> tuple[Migration, ...]:
    """The migrations this package ships, read once per process (readiness asks on every probe)."""
    return tuple(read_migrations())


def _numbered(name: str) -> bool:
    return name.endswith(".sql") and len(name) > 5 and name[:4].isdigit() and name[4] == "_"


async def applied_checksums(conn: asyncpg.Connection | asyncpg.Pool) -> dict[str, str | None]:
    """The applied migrations and their recorded checksums (None: applied before checksums were
    kept); empty when nothing was ever applied."""
    try:
        rows = await conn.fetch("SELECT * FROM schema_migrations")
    except asyncpg.exceptions.UndefinedTableError:
        return {}
    return {row["name"]: row.get("checksum") for row in rows}


async def missing_migrations(
    conn: asyncpg.Connection | asyncpg.Pool, migrations: Sequence[Migration] | None = None
) -> list[str]:
    """The names of ``migrations`` (default: the shipped ones) not yet applied."""
    applied = await applied_checksums(conn)
    return [
        m.name for m in (shipped_migrations() if migrations is None else migrations) if m.name not in applied
    ]


def edited(migrations: Sequence[Migration], applied: dict[str, str | None]) -> list[str]:
    """The applied migrations whose file no longer matches the checksum recorded for it."""
    return [m.name for m in migrations if applied.get(m.name) not in (None, m.checksum)]


async def apply_migrations(
    pool: asyncpg.Pool,
    migrations: Sequence[Migration] | None = None,
    *,
    unreachable: Callable[[BaseException], str] = unreachable_message,
) -> list[str]:
    """Apply ``migrations`` (default: the shipped ones) not applied yet, in order, each in its own
    transaction, and record each with its checksum; return the names applied.

    An advisory lock makes concurrent starts of several instances safe. Migrations applied before
    checksums were recorded get theirs now; an applied migration whose file changed since raises
    ``EditedMigrationError`` before anything is applied. ``unreachable`` makes the message for
    connection trouble (``Store.unreachable`` masks the DSN's secrets in it).
    """
    migrations = list(shipped_migrations() if migrations is None else migrations)
    applied: list[str] = []
    try:
        async with pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_ID)
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())"
                )
                await conn.execute("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT")
                done = await applied_checksums(conn)
                changed = edited(migrations, done)
                if changed:
                    msg = (
                        f"migration(s) {', '.join(changed)} changed after they were applied: restore the "
                        "applied text and put the change in a new numbered file"
                    )
                    raise EditedMigrationError(msg)
                for migration in migrations:
                    if migration.name in done and done[migration.name] is None:
                        await conn.execute(
                            "UPDATE schema_migrations SET checksum = $2 WHERE name = $1",
                            migration.name,
                            migration.checksum,
                        )
                for migration in migrations:
                    if migration.name in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(migration.sql)
                        await conn.execute(
                            "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
                            migration.name,
                            migration.checksum,
                        )
                    log.info("applied migration %s", migration.name)
                    applied.append(migration.name)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_ID)
    except TRANSIENT_DB_ERRORS as exc:
        raise StoreUnavailableError(unreachable(exc)) from exc
    return applied


async def database_status(dsn: str, *, timeout_s: float) -> tuple[str, list[str]]:
    """On a connection of its own: the server's version and the shipped migrations it lacks.
    Connection errors propagate as asyncpg raises them (``consumer check`` reports them)."""
    conn = await asyncpg.connect(dsn, timeout=timeout_s)
    try:
        version = str(await conn.fetchval("SHOW server_version"))
        return version, await missing_migrations(conn)
    finally:
        await conn.close()
