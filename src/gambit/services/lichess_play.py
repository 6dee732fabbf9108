"""The use cases of lichess's Bot and Board API on the battle core: chess by definition.

A game here is an ordinary battle of chess whose seats are taken by signed-in users (and
AI seats). Streams follow the bus, never the database: a game stream gets the battle as
it is, then again after each change; the event stream gets its user's topic.

Presence: a player is *gone* once their last game stream (on this process) has closed;
the battle stores since when, so any process can judge a claim. The opponent may claim
the win ``claim_after_seconds`` later (lichess's ``claimWinInSeconds``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from gambit.bus import Event, EventBus, battle_topic, user_topic
from gambit.games.battle import Battle, BattleStatus
from gambit.services.announcer import CHANGES, PLAYER_END, PLAYER_START
from gambit.services.challenges import CHALLENGE_NEW, Challenges
from gambit.services.errors import NotFound, ServiceError
from gambit.services.referee import Referee, seated
from gambit.services.repository import BattleRepository
from gambit.store import BattleQuery, BattleStore, StorageUnavailable
from gambit.store.challenges import StoredChallenge

PAGE = 100  # battles read per query when listing a user's games


@dataclass(frozen=True, slots=True)
class GameNews:
    """One of the user's games started (``finished`` False) or finished."""

    battle: Battle
    finished: bool


@dataclass(frozen=True, slots=True)
class ChallengeNews:
    """A challenge to or from the user: ``challenge:new``, ``…canceled``, ``…declined``."""

    kind: str
    challenge: StoredChallenge


News = GameNews | ChallengeNews


class LichessPlay:
    def __init__(
        self,
        repository: BattleRepository,
        referee: Referee,
        store: BattleStore,
        challenges: Challenges,
        bus: EventBus,
        *,
        claim_after_seconds: float,
    ) -> None:
        self._repository = repository
        self._referee = referee
        self._store = store
        self._challenges = challenges
        self._bus = bus
        self.claim_after_ms = int(claim_after_seconds * 1000)
        self._streams: dict[tuple[str, int], int] = {}  # open game streams by (game, seat)
        self._leaving: set[asyncio.Task[None]] = set()
        self._closing = False
        repository.pin(lambda battle_id: any(key[0] == battle_id for key in self._streams))

    def close(self) -> None:
        """End every stream at its next keep-alive: the server is stopping, and waits for
        its open responses to finish."""
        self._closing = True

    async def game(self, game_id: str) -> Battle:
        battle = await self._repository.get(game_id)
        if battle.game != "chess":
            raise NotFound(f"no game {game_id}")
        return battle

    # -- actions ------------------------------------------------------------------

    async def move(self, game_id: str, user_id: str, move: str, offering_draw: bool) -> None:
        await self.game(game_id)
        action = {"type": "move", "move": move}
        await self._referee.act(game_id, seated(user_id), action, offering_draw=offering_draw)

    async def resign(self, game_id: str, user_id: str) -> None:
        await self.game(game_id)
        await self._referee.forfeit(game_id, seated(user_id))

    async def abort(self, game_id: str, user_id: str) -> None:
        await self.game(game_id)
        await self._referee.abort(game_id, seated(user_id))

    async def draw(self, game_id: str, user_id: str, accept: bool) -> None:
        await self.game(game_id)
        await self._referee.offer_draw(game_id, seated(user_id), accept)

    async def takeback(self, game_id: str, user_id: str, accept: bool) -> None:
        await self.game(game_id)
        await self._referee.offer_takeback(game_id, seated(user_id), accept)

    async def chat(self, game_id: str, user_id: str, username: str, room: str, text: str) -> None:
        await self.game(game_id)
        await self._referee.say(game_id, seated(user_id), room, username, text)

    async def claim_victory(self, game_id: str, user_id: str) -> None:
        await self.game(game_id)
        await self._referee.claim_victory(game_id, seated(user_id), self.claim_after_ms)

    # -- streams ------------------------------------------------------------------

    async def follow(
        self, game_id: str, user_id: str | None, keepalive: float
    ) -> AsyncIterator[Battle | None]:
        """The game now, then after each change until it ends; None after every
        ``keepalive`` seconds without one. While this runs its player is present."""
        async with self._bus.subscribe(battle_topic(game_id)) as subscription:
            # Subscribed before looking, so a change in between is not missed.
            battle = await self.game(game_id)
            seat = next((i for i, s in enumerate(battle.seats) if s.user_id == user_id), None)
            if seat is not None:
                await self._arrive(battle, seat)
            try:
                yield battle
                while battle.status is not BattleStatus.FINISHED and not self._closing:
                    event = await subscription.next(keepalive)
                    if event is None:
                        yield None
                    elif event.name == "game:deleted":
                        return
                    elif event.name in CHANGES and event.data.get("version", 0) > battle.version:
                        battle = await self.game(game_id)
                        yield battle
            finally:
                if seat is not None:
                    # A task of its own: the stream's may be being cancelled.
                    task = asyncio.create_task(self._leave(game_id, seat))
                    self._leaving.add(task)
                    task.add_done_callback(self._leaving.discard)

    async def news(self, user_id: str, keepalive: float) -> AsyncIterator[News | None]:
        """The user's games in progress and open challenges, then what happens to them;
        None after every ``keepalive`` seconds of quiet."""
        async with self._bus.subscribe(user_topic(user_id)) as subscription:
            for battle in await self.playing(user_id):
                yield GameNews(battle, finished=False)
            for challenge in await self._challenges.pending(user_id):
                yield ChallengeNews(CHALLENGE_NEW, challenge)
            while not self._closing:
                event = await subscription.next(keepalive)
                yield None if event is None else await self._news(event)

    async def playing(self, user_id: str) -> list[Battle]:
        ids = await self._store.seated(user_id, BattleStatus.ACTIVE)
        return [b for b in await self._repository.get_many(ids) if b.game == "chess"]

    async def games_of(
        self, user_id: str, since: int | None, until: int | None, most: int | None, ongoing: bool
    ) -> AsyncIterator[Battle]:
        """The user's games of chess, newest first, created from ``since`` to ``until``
        (epoch ms, inclusive), finished ones (and those in play with ``ongoing``)."""
        after = None if until is None else (until + 1, "")
        sent = 0
        while most is None or sent < most:
            query = BattleQuery(game="chess", user_id=user_id, after=after, limit=PAGE)
            ids = (await self._store.page(query))[:PAGE]
            for battle in await self._repository.get_many(ids):
                if since is not None and battle.created_at < since:
                    return
                wanted = battle.status is BattleStatus.FINISHED or (
                    ongoing and battle.status is BattleStatus.ACTIVE
                )
                if wanted and (most is None or sent < most):
                    sent += 1
                    yield battle
                after = (battle.created_at, battle.id)
            if len(ids) < PAGE:
                return

    async def _news(self, event: Event) -> News | None:
        if event.name in (PLAYER_START, PLAYER_END):
            if event.data.get("game") != "chess":
                return None
            try:
                battle = await self.game(event.data["battleId"])
            except NotFound:
                return None
            return GameNews(battle, finished=event.name == PLAYER_END)
        return ChallengeNews(event.name, StoredChallenge(**event.data))

    async def _arrive(self, battle: Battle, seat: int) -> None:
        key = (battle.id, seat)
        self._streams[key] = self._streams.get(key, 0) + 1
        if battle.status is BattleStatus.ACTIVE and battle.table.away_since(seat) is not None:
            await self._referee.set_away(battle.id, seat, away=False)

    async def _leave(self, game_id: str, seat: int) -> None:
        key = (game_id, seat)
        self._streams[key] -= 1
        if self._streams[key]:
            return
        del self._streams[key]
        try:
            battle = await self.game(game_id)
            if battle.status is BattleStatus.ACTIVE:
                await self._referee.set_away(game_id, seat, away=True)
        except (ServiceError, StorageUnavailable):
            pass  # the game ended or went; nobody can claim it


def opponent_gone_in(battle: Battle, seat: int, claim_after_ms: int, now: int) -> int | None:
    """Seconds until ``seat`` may claim the win over its gone opponent (0: now), or None
    while the opponent is present."""
    since = [battle.table.away_since(o) for o in range(len(battle.seats)) if o != seat]
    if not since or any(s is None for s in since):
        return None
    latest = max(s for s in since if s is not None)
    return max(0, (latest + claim_after_ms - now + 999) // 1000)
