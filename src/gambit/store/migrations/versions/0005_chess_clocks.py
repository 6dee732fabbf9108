"""Time controls: a battle's clock (remaining times), and ratings per game and speed.

Existing battles have no time control (no clock); existing ratings were all earned
without one, so they become the ``untimed`` speed of their game.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STATS_COLUMNS = ("user_id", "game", "played", "wins", "losses", "draws")
RATING_COLUMNS = ("rating", "deviation", "volatility")


def _stats_table(name: str, *speed: sa.Column[str]) -> sa.Table:
    keys = ["user_id", "game", *(column.name for column in speed)]
    return op.create_table(
        name,
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("game", sa.String(16), nullable=False),
        *speed,
        *(sa.Column(column, sa.Integer, nullable=False) for column in STATS_COLUMNS[2:]),
        *(sa.Column(column, sa.Float, nullable=False) for column in RATING_COLUMNS),
        sa.PrimaryKeyConstraint(*keys, name=f"pk_{name}"),
    )


def _copy_stats(source: str, target: str, *, speed: str | None) -> None:
    """Copy the ratings of ``source`` into ``target`` (with ``speed``, or of the
    untimed speed alone when going back), then put ``target`` in its place."""
    columns = ", ".join((*STATS_COLUMNS, *RATING_COLUMNS))
    if speed is None:
        op.execute(
            f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {source}"
            " WHERE speed = 'untimed'"
        )
    else:
        op.execute(
            f"INSERT INTO {target} ({columns}, speed) SELECT {columns}, '{speed}' FROM {source}"
        )
    op.drop_index("ix_player_stats_ranking", source)
    op.drop_table(source)
    op.rename_table(target, "player_stats")


def upgrade() -> None:
    with op.batch_alter_table("battles") as batch:
        batch.add_column(sa.Column("clock", sa.JSON, nullable=True))
    _stats_table("player_stats_new", sa.Column("speed", sa.String(16), nullable=False))
    _copy_stats("player_stats", "player_stats_new", speed="untimed")
    op.create_index("ix_player_stats_ranking", "player_stats", ["game", "speed", "rating"])


def downgrade() -> None:
    _stats_table("player_stats_old")
    _copy_stats("player_stats", "player_stats_old", speed=None)
    op.create_index("ix_player_stats_ranking", "player_stats", ["game", "rating"])
    with op.batch_alter_table("battles") as batch:
        batch.drop_column("clock")
