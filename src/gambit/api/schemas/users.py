"""Bodies of the user endpoints: profiles (private and public) and records."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from gambit.api.schemas.auth import Email, NewPassword, iso
from gambit.api.schemas.common import JsonModel, rule_error
from gambit.services.accounts import DISPLAY_NAME_MAX_LENGTH, valid_display_name
from gambit.services.stats import Record, total
from gambit.store.users import StoredUser


def _display_name(value: str) -> str:
    if value and not valid_display_name(value):
        raise rule_error(
            f"must be 1-{DISPLAY_NAME_MAX_LENGTH} printable characters without < or >"
            " or surrounding spaces"
        )
    return value


class RecordView(BaseModel):
    played: int
    wins: int
    losses: int
    draws: int
    rating: float | None = Field(None, description="Glicko-2 rating, once rated battles exist.")

    @classmethod
    def of(cls, record: Record) -> RecordView:
        return cls(played=record.played, wins=record.wins, losses=record.losses, draws=record.draws)


class UserStats(BaseModel):
    userId: str
    total: RecordView
    games: dict[str, RecordView] = Field(description="Per game: `chess`, `duel`.")

    @classmethod
    def of(cls, user_id: str, by_game: dict[str, Record]) -> UserStats:
        games = {game: RecordView.of(by_game.get(game, Record())) for game in ("chess", "duel")}
        return cls(userId=user_id, total=RecordView.of(total(by_game)), games=games)


class PublicUser(BaseModel):
    """What anyone may see of a user: never the email, hash or tokens."""

    userId: str
    username: str
    displayName: str | None
    createdAt: str

    @classmethod
    def of(cls, user: StoredUser) -> PublicUser:
        return cls(
            userId=user.id,
            username=user.username,
            displayName=user.display_name,
            createdAt=iso(user.created_at) or "",
        )


class Profile(PublicUser):
    """The signed-in user's own view."""

    email: str | None
    lastLoginAt: str | None
    stats: RecordView

    @classmethod
    def of_user(cls, user: StoredUser, by_game: dict[str, Record]) -> Profile:
        return cls(
            **PublicUser.of(user).model_dump(),
            email=user.email,
            lastLoginAt=iso(user.last_login_at),
            stats=RecordView.of(total(by_game)),
        )


class UpdateMeRequest(JsonModel):
    displayName: Annotated[str, AfterValidator(_display_name)] | None = Field(
        None, max_length=DISPLAY_NAME_MAX_LENGTH, description='"" clears it.'
    )
    email: Email | None = None
    password: NewPassword | None = None
    currentPassword: str | None = Field(None, max_length=1024)
