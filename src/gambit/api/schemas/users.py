"""Bodies of the user endpoints: profiles (private and public), records, leaderboards."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gambit.api.schemas.auth import Email, NewPassword, iso
from gambit.api.schemas.common import JsonModel, rule_error
from gambit.games.clock import UNTIMED
from gambit.services.accounts import DISPLAY_NAME_MAX_LENGTH, valid_display_name
from gambit.services.stats import PROVISIONAL_DEVIATION
from gambit.store import Ranked, StoredStats
from gambit.store.users import StoredUser


def _display_name(value: str) -> str:
    if value and not valid_display_name(value):
        raise rule_error(
            f"must be 1-{DISPLAY_NAME_MAX_LENGTH} printable characters without < or >"
            " or surrounding spaces"
        )
    return value


class RecordView(BaseModel):
    """Games played, won, lost and drawn."""

    played: int
    wins: int
    losses: int
    draws: int

    @classmethod
    def total(cls, by_game: dict[str, dict[str, StoredStats]]) -> RecordView:
        """Every game and speed added up."""
        entries = [entry for by_speed in by_game.values() for entry in by_speed.values()]
        return cls(
            played=sum(e.played for e in entries),
            wins=sum(e.wins for e in entries),
            losses=sum(e.losses for e in entries),
            draws=sum(e.draws for e in entries),
        )


class GameRecordView(RecordView):
    """The record in one game, with the Glicko-2 rating."""

    rating: int = Field(description="Glicko-2 rating; a new player starts at 1500.")
    ratingDeviation: int = Field(description="Its uncertainty; 350 at the start.")
    provisional: bool = Field(
        description=f"True while the deviation is above {PROVISIONAL_DEVIATION}."
    )

    @classmethod
    def of(cls, entry: StoredStats) -> GameRecordView:
        return cls(
            played=entry.played,
            wins=entry.wins,
            losses=entry.losses,
            draws=entry.draws,
            rating=round(entry.rating.rating),
            ratingDeviation=round(entry.rating.deviation),
            provisional=entry.rating.deviation > PROVISIONAL_DEVIATION,
        )


class UserStats(BaseModel):
    userId: str
    total: RecordView = Field(description="Every game and speed added up.")
    games: dict[str, GameRecordView] = Field(
        description="Per game (`chess`, `duel`): the rating of its battles without a time "
        "control (the `untimed` speed)."
    )
    speeds: dict[str, dict[str, GameRecordView]] = Field(
        description="Per game, per speed played: `untimed`, and lichess's `ultraBullet`, "
        "`bullet`, `blitz`, `rapid`, `classical`, `correspondence` for battles with a "
        "time control."
    )

    @classmethod
    def of(cls, user_id: str, by_game: dict[str, dict[str, StoredStats]]) -> UserStats:
        speeds = {
            game: {pace: GameRecordView.of(entry) for pace, entry in by_speed.items()}
            for game, by_speed in by_game.items()
        }
        games = {game: by_speed[UNTIMED] for game, by_speed in speeds.items()}
        return cls(userId=user_id, total=RecordView.total(by_game), games=games, speeds=speeds)


class PublicUser(BaseModel):
    """What anyone may see of a user: never the email, hash or tokens."""

    userId: str
    username: str
    displayName: str | None = Field(description="Null unless the user has set one.")
    createdAt: str = Field(description="When the account was made, ISO 8601.")

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
    lastLoginAt: str | None = Field(description="ISO 8601; null until a sign-in after registering.")
    stats: RecordView = Field(description="Every game and speed added up.")

    @classmethod
    def of_user(cls, user: StoredUser, by_game: dict[str, dict[str, StoredStats]]) -> Profile:
        return cls(
            **PublicUser.of(user).model_dump(),
            email=user.email,
            lastLoginAt=iso(user.last_login_at),
            stats=RecordView.total(by_game),
        )


class UpdateMeRequest(JsonModel):
    displayName: Annotated[str, AfterValidator(_display_name)] | None = Field(
        None,
        max_length=DISPLAY_NAME_MAX_LENGTH,
        description='The name others see beside your username; "" clears it.',
    )
    email: Email | None = Field(None, description="A new email address.")
    password: NewPassword | None = Field(
        None,
        description="A new password, 8+ characters with a letter and a digit; needs "
        "`currentPassword`.",
    )
    currentPassword: str | None = Field(
        None, max_length=1024, description="Your password now, to change it."
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"displayName": "Alice"}]})


class RankedPlayer(GameRecordView):
    rank: int = Field(description="1 for the highest rating.")
    userId: str
    username: str


class Leaderboard(BaseModel):
    game: str
    speed: str = Field(description="The speed ranked; `untimed` by default.")
    players: list[RankedPlayer] = Field(description="Highest rating first.")
    nextOffset: int | None = Field(description="Pass as `offset` for the next page.")

    @classmethod
    def of(
        cls, game: str, speed: str, ranked: list[Ranked], offset: int, limit: int
    ) -> Leaderboard:
        shown = ranked[:limit]
        return cls(
            game=game,
            speed=speed,
            players=[
                RankedPlayer(
                    rank=offset + place,
                    userId=entry.stats.user_id,
                    username=entry.username,
                    **GameRecordView.of(entry.stats).model_dump(),
                )
                for place, entry in enumerate(shown, start=1)
            ],
            nextOffset=offset + limit if len(ranked) > limit else None,
        )
