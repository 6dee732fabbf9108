"""Storage: SQLAlchemy tables, Alembic migrations and the battle store."""

from gambit.store.battles import (
    BattleStore,
    StorageStatus,
    StoredBattle,
    StoredStats,
)
from gambit.store.database import migrate, open_database
from gambit.store.errors import StorageUnavailable, WriteConflict

__all__ = [
    "BattleStore",
    "StorageStatus",
    "StorageUnavailable",
    "StoredBattle",
    "StoredStats",
    "WriteConflict",
    "migrate",
    "open_database",
]
