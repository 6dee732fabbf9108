"""Battles read by query instead of from memory: versions, clock deadlines, players by user.

Existing battles get version 0, their deadline (a waiting battle's expiry at the default
30 minutes, a clocked human turn's time limit) and one player row per signed-in seat.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WAITING_EXPIRY_MS = 1800 * 1000  # the default BATTLE_WAITING_EXPIRE_SECONDS


def upgrade() -> None:
    with op.batch_alter_table("battles") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("deadline", sa.BigInteger, nullable=True))
        batch.create_index("ix_battles_created", ["created_at", "id"])
        batch.create_index("ix_battles_status_created", ["status", "created_at", "id"])
        batch.create_index("ix_battles_deadline", ["deadline"])
        batch.create_index("ix_battles_thinking", ["thinking"])
    players = op.create_table(
        "battle_players",
        sa.Column(
            "battle_id",
            sa.String(36),
            sa.ForeignKey("battles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seat", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "ix_battle_players_user", "battle_players", ["user_id", "created_at", "battle_id"]
    )
    op.create_index("ix_player_stats_ranking", "player_stats", ["game", "rating"])

    connection = op.get_bind()
    battles = sa.table(
        "battles",
        sa.column("id", sa.String),
        sa.column("status", sa.String),
        sa.column("seats", sa.JSON),
        sa.column("options", sa.JSON),
        sa.column("created_at", sa.BigInteger),
        sa.column("updated_at", sa.BigInteger),
        sa.column("deadline", sa.BigInteger),
    )
    actions = sa.table("battle_actions", sa.column("battle_id"), sa.column("at"))
    last_action = (
        sa.select(sa.func.max(actions.c.at))
        .where(actions.c.battle_id == battles.c.id)
        .scalar_subquery()
    )
    rows = connection.execute(
        sa.select(battles, last_action.label("last_at")).where(battles.c.status != "FINISHED")
    ).all()
    rows_all = connection.execute(sa.select(battles.c.id, battles.c.seats, battles.c.created_at))
    seated: list[dict[str, Any]] = [
        {
            "battle_id": row.id,
            "seat": i,
            "user_id": seat["userId"],
            "created_at": row.created_at,
        }
        for row in rows_all
        for i, seat in enumerate(row.seats)
        if seat.get("userId")
    ]
    if seated:
        op.bulk_insert(players, seated)
    for row in rows:
        deadline = _deadline(row)
        if deadline is not None:
            connection.execute(
                battles.update().where(battles.c.id == row.id).values(deadline=deadline)
            )


def _deadline(row: Any) -> int | None:
    if row.status == "WAITING":
        return int(row.created_at) + WAITING_EXPIRY_MS
    turn_seconds = (row.options or {}).get("turnSeconds")
    if turn_seconds:
        return int(row.last_at or row.updated_at) + int(turn_seconds) * 1000
    return None


def downgrade() -> None:
    op.drop_index("ix_player_stats_ranking", "player_stats")
    op.drop_table("battle_players")
    with op.batch_alter_table("battles") as batch:
        batch.drop_index("ix_battles_thinking")
        batch.drop_index("ix_battles_deadline")
        batch.drop_index("ix_battles_status_created")
        batch.drop_index("ix_battles_created")
        batch.drop_column("deadline")
        batch.drop_column("version")
