"""Storage: SQLAlchemy tables, Alembic migrations and the battle store."""

from gambit.store.battles import (
    BattleStore,
    StorageStatus,
    StoredBattle,
    StoredStats,
    WriteConflict,
)
from gambit.store.database import migrate, open_database

__all__ = [
    "BattleStore",
    "StorageStatus",
    "StoredBattle",
    "StoredStats",
    "WriteConflict",
    "migrate",
    "open_database",
]
