"""Storage: SQLAlchemy tables, Alembic migrations and the battle store."""

from gambit.store.battles import (
    BattleQuery,
    BattleStore,
    Change,
    Ranked,
    Settle,
    StorageStatus,
    StoredStats,
)
from gambit.store.database import migrate, open_database
from gambit.store.errors import StorageUnavailable, WriteConflict

__all__ = [
    "BattleQuery",
    "BattleStore",
    "Change",
    "Ranked",
    "Settle",
    "StorageStatus",
    "StorageUnavailable",
    "StoredStats",
    "WriteConflict",
    "migrate",
    "open_database",
]
