"""The database tables: battles and their actions, players' stats, users and their tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class BattleRow(Base):
    """A battle's header; ``deadline`` is when the clock must next look at it (a turn
    or a time control running out, a wait expiring), ``version`` counts its stored
    changes, ``clock`` holds a time control's remaining times."""

    __tablename__ = "battles"
    __table_args__ = (
        Index("ix_battles_created", "created_at", "id"),
        Index("ix_battles_status_created", "status", "created_at", "id"),
        Index("ix_battles_deadline", "deadline"),
        Index("ix_battles_thinking", "thinking"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    game: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    seats: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    thinking: Mapped[bool] = mapped_column(Boolean, default=False)
    rated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    clock: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    table_state: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class BattlePlayerRow(Base):
    """A signed-in user's seat in a battle: a user's battles, newest first, by index."""

    __tablename__ = "battle_players"
    __table_args__ = (Index("ix_battle_players_user", "user_id", "created_at", "battle_id"),)

    battle_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("battles.id", ondelete="CASCADE"), primary_key=True
    )
    seat: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[int] = mapped_column(BigInteger)  # the battle's, for ordering


class ActionRow(Base):
    __tablename__ = "battle_actions"

    battle_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("battles.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    seat: Mapped[int] = mapped_column(Integer)
    player_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[dict[str, Any]] = mapped_column(JSON)
    info: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[int] = mapped_column(BigInteger)


class PlayerStatsRow(Base):
    """A user's record and Glicko-2 rating in one game at one speed (``untimed`` for
    battles without a time control)."""

    __tablename__ = "player_stats"
    __table_args__ = (Index("ix_player_stats_ranking", "game", "speed", "rating"),)

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    game: Mapped[str] = mapped_column(String(16), primary_key=True)
    speed: Mapped[str] = mapped_column(String(16), primary_key=True)
    played: Mapped[int] = mapped_column(Integer)
    wins: Mapped[int] = mapped_column(Integer)
    losses: Mapped[int] = mapped_column(Integer)
    draws: Mapped[int] = mapped_column(Integer)
    rating: Mapped[float] = mapped_column(Float)
    deviation: Mapped[float] = mapped_column(Float)
    volatility: Mapped[float] = mapped_column(Float)


class UserRow(Base):
    """An account. ``*_key`` columns hold the lower-cased name and email, unique."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    username_key: Mapped[str] = mapped_column(String(40), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    email_key: Mapped[str | None] = mapped_column(String(254), unique=True, nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    last_login_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    title: Mapped[str | None] = mapped_column(String(8), nullable=True, index=True)  # "BOT"
    seen_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class RefreshTokenRow(Base):
    """One refresh token, stored as its SHA-256; ``family_id`` is the login it belongs to."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiTokenRow(Base):
    """A personal API token, stored as its SHA-256, with the lichess scopes it carries."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_used_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class RevocationRow(Base):
    """An access token (``jti:…``) or a whole login (``sid:…``) refused until it expires."""

    __tablename__ = "revocations"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


class ChallengeRow(Base):
    """A challenge from one user to another; its id becomes the battle's when accepted.
    ``status`` is lichess's: created, accepted, declined or canceled."""

    __tablename__ = "challenges"
    __table_args__ = (
        Index("ix_challenges_dest", "dest_user_id", "status"),
        Index("ix_challenges_challenger", "challenger_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    challenger_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE")
    )
    dest_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16))
    rated: Mapped[bool] = mapped_column(Boolean)
    color: Mapped[str] = mapped_column(String(8))  # as asked: white, black or random
    final_color: Mapped[str] = mapped_column(String(8))  # the challenger's
    variant: Mapped[str] = mapped_column(String(16))
    fen: Mapped[str | None] = mapped_column(String(100), nullable=True)
    clock_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)  # seconds
    clock_increment: Mapped[int | None] = mapped_column(Integer, nullable=True)  # seconds
    days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    engine_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decline_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class TournamentRow(Base):
    """A tournament or match: its settings as created, its status (open, running, paused,
    finished, canceled); ``version`` counts claims and status changes, so that processes
    sharing the database start each game once; ``byes`` are Swiss byes given."""

    __tablename__ = "tournaments"
    __table_args__ = (Index("ix_tournaments_status_created", "status", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    game: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    byes: Mapped[list[list[Any]]] = mapped_column(JSON)  # [participant id, round]


class TournamentParticipantRow(Base):
    """One participant: a user, or a built-in engine by spec; ``id`` is p1, p2… by entry."""

    __tablename__ = "tournament_participants"

    tournament_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("tournaments.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(8), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    engine: Mapped[str | None] = mapped_column(String(16), nullable=True)
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    search_time: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TournamentGameRow(Base):
    """One scheduled game: ``number`` orders them; ``white``/``black`` are the first and
    second seats' participant ids; ``status`` pending → running (claimed, ``battle_id``
    set) → finished with the first seat's ``score``."""

    __tablename__ = "tournament_games"
    __table_args__ = (
        Index("ix_tournament_games_status", "tournament_id", "status", "number"),
        Index("ix_tournament_games_battle", "battle_id"),
    )

    tournament_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("tournaments.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    round: Mapped[int] = mapped_column(Integer)
    pair: Mapped[int] = mapped_column(Integer)
    white: Mapped[str] = mapped_column(String(8))
    black: Mapped[str] = mapped_column(String(8))
    opening: Mapped[str | None] = mapped_column(String(200), nullable=True)
    start: Mapped[dict[str, Any]] = mapped_column(JSON)  # the battle options it starts from
    status: Mapped[str] = mapped_column(String(16))
    battle_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(60), nullable=True)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
