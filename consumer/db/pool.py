"""The connection to PostgreSQL: which errors mean the database is away, and how they read."""

from __future__ import annotations

import asyncpg

# Errors that mean "the database is not there right now", as opposed to a bug in our SQL.
TRANSIENT_DB_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ConnectionError,
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    # asyncpg's own state errors, e.g. "cannot switch to state 15; another operation is in progress"
    # when the server goes away mid-query; asyncpg itself treats them as I/O trouble on that connection
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    # the database or role is missing, e.g. while it is being restored
    asyncpg.exceptions.InvalidCatalogNameError,
    asyncpg.exceptions.InvalidAuthorizationSpecificationError,
)


def unreachable_message(exc: BaseException) -> str:
    """The message for connection trouble, as raised in StoreUnavailableError (unmasked)."""
    return f"PostgreSQL unreachable: {exc}"
