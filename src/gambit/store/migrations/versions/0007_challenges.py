"""Challenges, and what the players say at a battle's table (offers, chat, absences).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("battles") as batch:
        batch.add_column(sa.Column("table_state", sa.JSON, nullable=True))
    op.create_table(
        "challenges",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "challenger_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "dest_user_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rated", sa.Boolean, nullable=False),
        sa.Column("color", sa.String(8), nullable=False),
        sa.Column("final_color", sa.String(8), nullable=False),
        sa.Column("variant", sa.String(16), nullable=False),
        sa.Column("fen", sa.String(100), nullable=True),
        sa.Column("clock_limit", sa.Integer, nullable=True),
        sa.Column("clock_increment", sa.Integer, nullable=True),
        sa.Column("days", sa.Integer, nullable=True),
        sa.Column("decline_reason", sa.String(16), nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("engine_level", sa.Integer, nullable=True),
    )
    op.create_index("ix_challenges_dest", "challenges", ["dest_user_id", "status"])
    op.create_index("ix_challenges_challenger", "challenges", ["challenger_id", "status"])


def downgrade() -> None:
    op.drop_table("challenges")
    with op.batch_alter_table("battles") as batch:
        batch.drop_column("table_state")
