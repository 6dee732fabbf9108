"""Tournaments and matches: their settings, participants and scheduled games.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tournaments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("game", sa.String(16), nullable=False),
        sa.Column("format", sa.String(24), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("started_at", sa.BigInteger, nullable=True),
        sa.Column("finished_at", sa.BigInteger, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("byes", sa.JSON, nullable=False),
    )
    op.create_index("ix_tournaments_status_created", "tournaments", ["status", "created_at", "id"])
    op.create_table(
        "tournament_participants",
        sa.Column(
            "tournament_id",
            sa.String(36),
            sa.ForeignKey("tournaments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("id", sa.String(8), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("engine", sa.String(16), nullable=True),
        sa.Column("level", sa.Integer, nullable=True),
        sa.Column("search_time", sa.Integer, nullable=True),
    )
    op.create_table(
        "tournament_games",
        sa.Column(
            "tournament_id",
            sa.String(36),
            sa.ForeignKey("tournaments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("pair", sa.Integer, nullable=False),
        sa.Column("white", sa.String(8), nullable=False),
        sa.Column("black", sa.String(8), nullable=False),
        sa.Column("opening", sa.String(200), nullable=True),
        sa.Column("start", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("battle_id", sa.String(36), nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("reason", sa.String(60), nullable=True),
        sa.Column("finished_at", sa.BigInteger, nullable=True),
    )
    op.create_index(
        "ix_tournament_games_status", "tournament_games", ["tournament_id", "status", "number"]
    )
    op.create_index("ix_tournament_games_battle", "tournament_games", ["battle_id"])


def downgrade() -> None:
    op.drop_table("tournament_games")
    op.drop_table("tournament_participants")
    op.drop_table("tournaments")
