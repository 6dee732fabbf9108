"""Challenges, as lichess has them: one user asks another for a game of chess.

A challenge is stored until it is accepted, declined or canceled, once. Accepted, it
becomes an ordinary battle of chess whose id is the challenge's (lichess: "the game ID
will be the same as the challenge ID"). Each side hears of it on its own bus topic;
the game's start and end come from the battle's announcer.

A challenge to the AI starts at once, the engine playing its side through gambit's AI
seats. lichess's levels 1-8 map onto Stockfish's ``Skill Level`` (gambit's level 0-20)
and a thinking time per move, the movetimes lichess itself gives its levels:

    lichess level   1    2    3    4    5    6    7    8
    gambit level    0    3    6    9   12   15   18   20
    searchTime ms  50  100  150  200  300  400  500 1000
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from gambit.bus import Event, EventBus, user_topic
from gambit.games import InvalidOptions
from gambit.games.battle import Battle, Seat, SeatKind
from gambit.games.chess import parse_fen
from gambit.games.clock import speed
from gambit.rating import Rating
from gambit.services.accounts import Accounts
from gambit.services.ai_turns import AUTO_AI
from gambit.services.errors import InvalidRequest, InvalidStart, NotFound
from gambit.services.referee import Referee, now_ms, seated
from gambit.services.stats import Stats
from gambit.store.challenges import CREATED, ChallengeStore, StoredChallenge

AI_LEVELS = {1: (0, 50), 2: (3, 100), 3: (6, 150), 4: (9, 200)} | {
    5: (12, 300),
    6: (15, 400),
    7: (18, 500),
    8: (20, 1000),
}
"""lichess's AI level → (gambit level, searchTime ms)."""
VARIANTS = ("standard", "fromPosition")
COLOURS = ("white", "black")
CLOCK_LIMITS = frozenset({0, 15, 30, 45, 60, 90, *range(120, 10801, 60)})  # seconds
MAX_INCREMENT = 60  # seconds
DAYS = frozenset({1, 2, 3, 5, 7, 10, 14})
DECLINE_REASONS = (
    "generic",
    "later",
    "tooFast",
    "tooSlow",
    "timeControl",
    "rated",
    "casual",
    "standard",
    "variant",
    "noBot",
    "onlyBot",
)

# What each side hears on its own topic; the data is the challenge (`StoredChallenge`).
CHALLENGE_NEW = "challenge:new"
CHALLENGE_CANCELED = "challenge:canceled"
CHALLENGE_DECLINED = "challenge:declined"


@dataclass(frozen=True, slots=True)
class Terms:
    """What a challenge asks for: a clock (seconds) or days per move or neither, the
    challenger's colour, the variant and its position."""

    rated: bool = False
    color: str = "random"
    variant: str = "standard"
    fen: str | None = None
    clock_limit: int | None = None
    clock_increment: int | None = None
    days: int | None = None

    def checked(self) -> Terms:
        """These terms if gambit can play them, else `InvalidRequest` (or `InvalidStart`
        for a bad position) saying why."""
        if self.variant not in VARIANTS:
            raise InvalidRequest(f"unsupported variant {self.variant}: gambit plays standard chess")
        if self.color not in (*COLOURS, "random"):
            raise InvalidRequest("color must be white, black or random")
        if (self.clock_limit is None) != (self.clock_increment is None):
            raise InvalidRequest("give both clock.limit and clock.increment")
        if self.clock_limit is not None and self.days is not None:
            raise InvalidRequest("give a clock or days, not both")
        if self.clock_limit is not None and self.clock_limit not in CLOCK_LIMITS:
            raise InvalidRequest("clock.limit must be 0, 15, 30, 45, 60, 90 or minutes to 10800")
        if self.clock_increment is not None and not 0 <= self.clock_increment <= MAX_INCREMENT:
            raise InvalidRequest(f"clock.increment must be 0 to {MAX_INCREMENT}")
        if self.clock_limit == 0 and self.clock_increment == 0:
            raise InvalidRequest("a clock of 0+0 cannot be played")
        if self.days is not None and self.days not in DAYS:
            raise InvalidRequest("days must be one of 1, 2, 3, 5, 7, 10, 14")
        if self.variant == "standard":
            return replace(self, fen=None)  # lichess ignores a FEN for standard chess
        if not self.fen:
            raise InvalidRequest("a fromPosition game needs a fen")
        try:
            parse_fen(self.fen)
        except InvalidOptions as exc:
            raise InvalidStart(str(exc)) from exc
        return self

    def options(self) -> dict[str, Any]:
        """The battle's options: the position, the time control, and lichess's ``rated``."""
        options: dict[str, Any] = {"rated": self.rated}
        if self.fen:
            options["fen"] = self.fen
        if self.clock_limit is not None:
            options["clock"] = {"limit": self.clock_limit, "increment": self.clock_increment}
        if self.days is not None:
            options["days"] = self.days
        return options


def terms_of(challenge: StoredChallenge) -> Terms:
    return Terms(
        challenge.rated,
        challenge.color,
        challenge.variant,
        challenge.fen,
        challenge.clock_limit,
        challenge.clock_increment,
        challenge.days,
    )


class Challenges:
    def __init__(
        self,
        store: ChallengeStore,
        accounts: Accounts,
        referee: Referee,
        bus: EventBus,
        stats: Stats,
        now: Callable[[], int] = now_ms,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._referee = referee
        self._bus = bus
        self._stats = stats
        self._now = now

    async def create(self, challenger_id: str, username: str, terms: Terms) -> StoredChallenge:
        terms = terms.checked()
        dest = await self._accounts.by_name(username)
        if dest.id == challenger_id:
            raise InvalidRequest("you cannot challenge yourself")
        colour = terms.color if terms.color in COLOURS else secrets.choice(COLOURS)
        challenge = StoredChallenge(
            id=str(uuid.uuid4()),
            challenger_id=challenger_id,
            dest_user_id=dest.id,
            status=CREATED,
            rated=terms.rated,
            color=terms.color,
            final_color=colour,
            variant=terms.variant,
            fen=terms.fen,
            clock_limit=terms.clock_limit,
            clock_increment=terms.clock_increment,
            days=terms.days,
            decline_reason=None,
            created_at=self._now(),
        )
        await self._store.add(challenge)
        await self._tell(CHALLENGE_NEW, challenge, challenge.challenger_id, challenge.dest_user_id)
        return challenge

    async def get(self, challenge_id: str) -> StoredChallenge:
        challenge = await self._store.get(challenge_id)
        if challenge is None:
            raise NotFound(f"no challenge {challenge_id}")
        return challenge

    async def pending(self, user_id: str) -> list[StoredChallenge]:
        """The open challenges to and from the user, oldest first."""
        return await self._store.pending(user_id)

    async def accept(self, user_id: str, challenge_id: str) -> Battle:
        challenge = await self._open(challenge_id, user_id)
        if not await self._store.settle(challenge.id, "accepted"):
            raise NotFound(f"no open challenge {challenge_id}")
        options = terms_of(challenge).options()
        challenger = await self._seat(challenge.challenger_id, options)
        accepter = await self._seat(user_id, options)
        seats = (
            [challenger, accepter] if challenge.final_color == "white" else [accepter, challenger]
        )
        try:
            return await self._referee.create("chess", seats, options, battle_id=challenge.id)
        except BaseException:
            await self._store.reopen(challenge.id)
            raise

    async def decline(self, user_id: str, challenge_id: str, reason: str) -> None:
        if reason not in DECLINE_REASONS:
            raise InvalidRequest(f"reason must be one of {', '.join(DECLINE_REASONS)}")
        challenge = await self._open(challenge_id, user_id)
        if not await self._store.settle(challenge.id, "declined", reason):
            raise NotFound(f"no open challenge {challenge_id}")
        declined = replace(challenge, status="declined", decline_reason=reason)
        await self._tell(CHALLENGE_DECLINED, declined, challenge.challenger_id)

    async def cancel(self, user_id: str, challenge_id: str) -> None:
        """Withdraw one's challenge; once accepted, abort its game while it can be."""
        challenge = await self.get(challenge_id)
        if user_id not in (challenge.challenger_id, challenge.dest_user_id):
            raise NotFound(f"no challenge {challenge_id}")
        if challenge.status == "accepted":
            await self._referee.abort(challenge.id, seated(user_id))
            return
        if challenge.challenger_id != user_id or not await self._store.settle(
            challenge.id, "canceled"
        ):
            raise NotFound(f"no open challenge {challenge_id} of yours")
        await self._tell(
            CHALLENGE_CANCELED, replace(challenge, status="canceled"), challenge.dest_user_id
        )

    async def against_ai(self, user_id: str, level: int, terms: Terms) -> Battle:
        """A game against the engine at lichess's ``level``, started at once."""
        if level not in AI_LEVELS:
            raise InvalidRequest("level must be 1 to 8")
        terms = terms.checked()
        gambit_level, search_time = AI_LEVELS[level]
        ai = Seat(
            f"ai-player-{uuid.uuid4()}", SeatKind.AI, level=gambit_level, search_time=search_time
        )
        options = terms.options() | {"rated": False, AUTO_AI: True, "aiLevel": level}
        me = await self._seat(user_id, options)
        colour = terms.color if terms.color in COLOURS else secrets.choice(COLOURS)
        seats = [me, ai] if colour == "white" else [ai, me]
        return await self._referee.create("chess", seats, options)

    async def _seat(self, user_id: str, options: dict[str, Any]) -> Seat:
        """A user's seat with their name and their chess rating at the game's speed, as
        the arena seats people: the web face and the battle face show both."""
        user = await self._accounts.user(user_id)
        played = (await self._stats.of(user_id)).get("chess", {}).get(speed(options))
        rating = played.rating if played else Rating()
        return Seat(
            user_id,
            SeatKind.HUMAN,
            user_id=user_id,
            name=user.username,
            rating=round(rating.rating),
        )

    async def _open(self, challenge_id: str, user_id: str) -> StoredChallenge:
        """An open challenge to ``user_id``."""
        challenge = await self.get(challenge_id)
        if challenge.dest_user_id != user_id:
            raise NotFound(f"no challenge {challenge_id} to you")
        if challenge.status != CREATED:
            raise NotFound(f"challenge {challenge_id} is {challenge.status}")
        return challenge

    async def _tell(self, name: str, challenge: StoredChallenge, *user_ids: str) -> None:
        for user_id in user_ids:
            await self._bus.publish(user_topic(user_id), Event(name, asdict(challenge)))
