"""Battles of any game: the use cases that change them, persist them and announce them.

Live battles are held in memory and are the source of truth for reads; every change
is applied in memory, written through the store (awaited, so a change is durable
before anyone is told of it) and then published on the bus. A battle that ends has
its players' stats settled in the same write.

With several processes (a Redis bus) each holds the battles in memory too; when
another process announces a change, this one reloads that battle from the database
before passing the news on.

A clock checks once a second for human turns past the battle's ``turnSeconds`` (the
player forfeits) and for battles left waiting for players too long (they expire).
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from gambit.ai.player import AIPlayer, Decision
from gambit.bus import Event, EventBus, battle_topic
from gambit.games import RULESETS, InvalidOptions, Ruleset
from gambit.games import IllegalAction as IllegalByRules
from gambit.games.base import Action, Outcome
from gambit.games.battle import (
    FORFEIT,
    ActionRecord,
    Battle,
    BattleStatus,
    Seat,
    SeatKind,
    forfeit,
    name_line,
    player_ids,
    replay,
    to_public,
)
from gambit.services.errors import (
    Busy,
    Conflict,
    GameOver,
    IllegalAction,
    InvalidRequest,
    InvalidStart,
    NotFound,
    NotYourTurn,
)
from gambit.services.stats import Stats
from gambit.store import BattleStore, StoredBattle, WriteConflict

log = logging.getLogger(__name__)

DEFAULT_SEARCH_TIME_MS = 1000
AUTO_AI = "autoAi"
"""Battle option: AI seats take their turns by themselves (the battle face). On the chess
face the computer moves only when asked (``cccc``)."""
TURN_SECONDS = "turnSeconds"
"""Battle option: a human who takes longer than this over a turn forfeits."""
CLOCK_INTERVAL = 1.0  # seconds between two looks at the turn clocks
CHANGES = frozenset({"game:start", "game:update", "game:deleted", "game:end"})
"""The events that follow a stored change of a battle."""


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class BattleService:
    """Creates, plays, rewinds and deletes battles; runs AI turns in the background."""

    def __init__(
        self,
        store: BattleStore,
        bus: EventBus,
        ai_players: Mapping[str, AIPlayer],
        stats: Stats,
        *,
        waiting_expiry_seconds: float,
    ) -> None:
        self._store = store
        self._bus = bus
        self._ai_players = ai_players
        self.stats = stats
        self._waiting_expiry_ms = int(waiting_expiry_seconds * 1000)
        self._battles: dict[str, Battle] = {}
        self._thinking: dict[str, asyncio.Task[None]] = {}
        self._clocked: set[str] = set()  # battles the clock watches
        self._clock: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Bring every stored battle back to life, resume cut-off AI turns, start the clock."""
        self.stats.load(await self._store.load_stats())
        for stored in await self._store.load_all():
            battle = self._hold(stored)
            if battle.thinking:
                self._thinking[battle.id] = asyncio.create_task(self._think(battle))
        self._clock = asyncio.create_task(self._run_clock(), name="battle-clock")
        self._bus.on_remote(self._catch_up)

    async def close(self) -> None:
        """Stop the clock and AI turns in progress; those are stored as thinking and
        resume at the next start."""
        tasks = list(self._thinking.values()) + ([self._clock] if self._clock else [])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def all(self) -> Iterable[Battle]:
        return self._battles.values()

    def get(self, battle_id: str) -> Battle:
        try:
            return self._battles[battle_id]
        except KeyError:
            raise NotFound(f"no battle with id {battle_id}") from None

    async def create(self, game: str, seats: list[Seat], options: dict[str, Any]) -> Battle:
        """A new battle: waiting while a human seat is open, else started (or finished,
        if it starts over)."""
        ruleset = RULESETS[game]
        seed = secrets.randbits(63)
        try:
            state = ruleset.initial_state(len(seats), options, seed)
        except InvalidOptions as exc:
            raise InvalidStart(str(exc)) from exc
        outcome = ruleset.outcome(state)
        created = now_ms()
        battle = Battle(
            id=str(uuid.uuid4()),
            game=game,
            seats=seats,
            options=options,
            seed=seed,
            status=_status(seats, outcome is not None),
            created_at=created,
            updated_at=created,
            state=state,
            outcome=outcome,
            turn_started_at=created,
        )
        self._battles[battle.id] = battle
        self._watch(battle)
        await self._store.insert(battle)
        await self._announce_seats(battle)
        await self._continue(battle)
        return battle

    async def take_seat(self, battle: Battle, index: int, player_id: str, user_id: str) -> None:
        """Fill an open human seat; the battle starts once none is left."""
        seat = battle.seats[index]
        battle.seats[index] = Seat(player_id, seat.kind, user_id=user_id)
        battle.status = _status(battle.seats, battle.outcome is not None)
        battle.updated_at = battle.turn_started_at = now_ms()
        await self._store.update(battle)
        await self._announce_seats(battle)
        await self._continue(battle)

    async def forfeit(self, battle: Battle, seat: int, reason: str = FORFEIT) -> ActionRecord:
        """``seat`` gives up (or its time ran out, ``reason`` "timeout"): it loses, and a
        battle of more players goes on without it."""
        if battle.status is BattleStatus.FINISHED:
            raise GameOver("the battle is over")
        ruleset = RULESETS[battle.game]
        task = (
            self._thinking.pop(battle.id, None) if ruleset.to_move(battle.state) == seat else None
        )
        if task is not None:
            task.cancel()
            battle.thinking = False
        battle.state = forfeit(ruleset, battle.state, seat)
        record = ActionRecord(
            seq=len(battle.actions) + 1,
            seat=seat,
            player_id=battle.seats[seat].player_id,
            action={"type": FORFEIT} if reason == FORFEIT else {"type": FORFEIT, "reason": reason},
            at=now_ms(),
        )
        battle.actions.append(record)
        others = tuple(i for i in range(len(battle.seats)) if i != seat)
        battle.outcome = ruleset.outcome(battle.state)
        if battle.outcome is None and not hasattr(ruleset, "eliminate"):
            battle.outcome = Outcome(winners=others, reason=reason)
        battle.status = BattleStatus.FINISHED if battle.outcome else battle.status
        battle.updated_at = battle.turn_started_at = record.at
        await self._append(battle, record, header=True)
        await self._announce_action(battle, record)
        await self._continue(battle)
        return record

    def ensure_open(self, battle: Battle) -> None:
        """Refuse changes to a finished battle or one whose AI seat is thinking."""
        if battle.status is BattleStatus.WAITING:
            raise NotYourTurn("the battle is waiting for players to join")
        if battle.status is BattleStatus.FINISHED:
            reason = battle.outcome.reason if battle.outcome else "finished"
            raise GameOver(f"the game is over ({reason})")
        if battle.thinking:
            raise Busy("the computer is thinking; wait for its move")

    async def act(self, battle: Battle, seat: int, action: Action) -> ActionRecord:
        """Play ``action`` for ``seat``, which must be the seat to move."""
        self.ensure_open(battle)
        ruleset = RULESETS[battle.game]
        if ruleset.to_move(battle.state) != seat:
            raise NotYourTurn("it is not your turn")
        try:
            record = self._play(battle, ruleset, action, {})
        except IllegalByRules as exc:
            raise IllegalAction(str(exc)) from exc
        await self._append(battle, record, header=battle.outcome is not None)
        await self._announce_action(battle, record)
        await self._continue(battle)
        return record

    async def start_thinking(self, battle: Battle) -> None:
        """Let the AI seat to move choose its action in the background."""
        self.ensure_open(battle)
        battle.thinking = True
        battle.updated_at = now_ms()
        await self._store.update(battle)
        await self._publish(battle, "game:update")
        self._thinking[battle.id] = asyncio.create_task(self._think(battle))

    async def undo(self, battle: Battle, plies: int) -> None:
        """Take back the last ``plies`` actions; a finished battle opens again."""
        if battle.thinking:
            raise Busy("the computer is thinking; wait for its move")
        if plies > len(battle.actions):
            played = len(battle.actions)
            raise InvalidRequest(f"cannot take back {plies} moves: {played} have been played")
        ruleset = RULESETS[battle.game]
        del battle.actions[len(battle.actions) - plies :]
        battle.state = replay(ruleset, battle)
        battle.outcome = ruleset.outcome(battle.state)
        battle.status = BattleStatus.FINISHED if battle.outcome else BattleStatus.ACTIVE
        battle.updated_at = battle.turn_started_at = now_ms()
        await self._store.truncate(battle)
        await self._publish(battle, "game:update")

    async def replace_seats(self, battle: Battle, seats: list[Seat]) -> None:
        if battle.thinking:
            raise Busy("the computer is thinking; wait for its move")
        battle.seats = seats
        battle.updated_at = now_ms()
        await self._store.update(battle)
        await self._publish(battle, "game:update")

    async def delete(self, battle: Battle) -> None:
        task = self._thinking.pop(battle.id, None)
        if task is not None:
            task.cancel()
        self._battles.pop(battle.id, None)
        self._clocked.discard(battle.id)
        await self._store.delete(battle.id)
        await self._publish(battle, "game:deleted")

    async def wait_for_change(
        self, battle_id: str, unchanged: Callable[[Battle], bool], timeout: float
    ) -> Battle:
        """The battle once it changes, or as it is after ``timeout`` seconds.

        Returns at once when ``unchanged(battle)`` is already false. Raises `NotFound`
        if the battle is (or gets) deleted.
        """
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._bus.subscribe(battle_topic(battle_id)) as subscription:
            # Subscribed before looking, so a change in between is not missed.
            if unchanged(self.get(battle_id)):
                while (left := deadline - asyncio.get_running_loop().time()) > 0:
                    event = await subscription.next(left)
                    # Other processes' changes are loaded by the time their update comes.
                    if event is None or event.name in CHANGES:
                        break
        return self.get(battle_id)

    def _play(
        self, battle: Battle, ruleset: Ruleset[Any], action: Action, info: dict[str, Any]
    ) -> ActionRecord:
        """Apply an action in memory (atomically: nothing awaits in here)."""
        seat = ruleset.to_move(battle.state)
        state, recorded = ruleset.apply(battle.state, action)
        at = now_ms()
        record = ActionRecord(
            seq=len(battle.actions) + 1,
            seat=seat,
            player_id=battle.seats[seat].player_id,
            action=recorded,
            at=at,
            info=info,
        )
        battle.actions.append(record)
        battle.state = state
        battle.outcome = ruleset.outcome(state)
        if battle.outcome:
            battle.status = BattleStatus.FINISHED
        battle.thinking = False
        battle.updated_at = battle.turn_started_at = at
        return record

    async def _think(self, battle: Battle) -> None:
        ruleset = RULESETS[battle.game]
        seat = battle.seats[ruleset.to_move(battle.state)]
        await self._publish(battle, "ai:thinking", playerId=seat.player_id)

        async def report(info: dict[str, Any]) -> None:
            await self._publish(
                battle,
                "ai:thinking",
                playerId=seat.player_id,
                **name_line(battle.game, player_ids(battle), info),
            )

        try:
            try:
                decision = await self._ai_players[battle.game].choose(
                    ruleset.copy(battle.state),
                    seat.level or 0,
                    seat.search_time or DEFAULT_SEARCH_TIME_MS,
                    report,
                )
            except Exception as exc:
                log.exception("AI move failed in battle %s", battle.id)
                await self._publish(battle, "ai:error", playerId=seat.player_id, message=str(exc))
                if not battle.options.get(AUTO_AI):
                    # The chess face gives the turn back: the client may ask again (cccc).
                    battle.thinking = False
                    battle.updated_at = now_ms()
                    await self._store.update(battle)
                    await self._publish(battle, "game:update")
                    return
                # Nobody would ask again on the battle face: play on rather than stall.
                decision = _fallback(ruleset, battle)
            if self._battles.get(battle.id) is not battle:
                return  # deleted while thinking
            record = self._play(battle, ruleset, decision.action, decision.info)
        finally:
            if self._thinking.get(battle.id) is asyncio.current_task():
                del self._thinking[battle.id]
        try:
            await self._append(battle, record, header=True)  # thinking is over
        except Conflict:
            return  # another process moved for this seat first; the battle is reloaded
        await self._publish(
            battle,
            "ai:action",
            playerId=seat.player_id,
            action=to_public(battle, record.action),
            evaluation=name_line(battle.game, player_ids(battle), record.info),
        )
        await self._announce_action(battle, record)
        await self._publish(battle, "ai:ready", playerId=seat.player_id)
        await self._continue(battle)

    def _watch(self, battle: Battle) -> None:
        """Put ``battle`` under the clock if it waits for players or has a turn limit."""
        if battle.status is not BattleStatus.FINISHED and (
            battle.status is BattleStatus.WAITING or battle.options.get(TURN_SECONDS)
        ):
            self._clocked.add(battle.id)

    async def _run_clock(self) -> None:
        while True:
            await asyncio.sleep(CLOCK_INTERVAL)
            try:
                await self.tick(now_ms())
            except Exception:
                log.exception("the battle clock failed; it goes on")

    async def tick(self, now: int) -> None:
        """Forfeit human turns past their time limit and expire stale waiting battles."""
        for battle_id in list(self._clocked):
            battle = self._battles.get(battle_id)
            if battle is None or battle.status is BattleStatus.FINISHED:
                self._clocked.discard(battle_id)
            elif battle.status is BattleStatus.WAITING:
                if now - battle.created_at >= self._waiting_expiry_ms:
                    await self._expire(battle)
            elif not (limit_ms := int(battle.options.get(TURN_SECONDS, 0)) * 1000):
                self._clocked.discard(battle_id)  # started, and has no turn limit
            elif not battle.thinking and now - battle.turn_started_at >= limit_ms:
                seat = RULESETS[battle.game].to_move(battle.state)
                if battle.seats[seat].kind is SeatKind.HUMAN:
                    await self.forfeit(battle, seat, reason="timeout")

    async def _expire(self, battle: Battle) -> None:
        battle.status = BattleStatus.FINISHED
        battle.outcome = Outcome(winners=(), reason="expired")
        battle.updated_at = now_ms()
        self._clocked.discard(battle.id)
        await self._store.update(battle)
        await self._publish(battle, "game:update")
        await self._announce_end(battle)

    async def _continue(self, battle: Battle) -> None:
        """On the battle face, hand the turn to an AI seat when it comes round."""
        if (
            battle.options.get(AUTO_AI)
            and battle.status is BattleStatus.ACTIVE
            and not battle.thinking
            and battle.seats[RULESETS[battle.game].to_move(battle.state)].kind is SeatKind.AI
        ):
            await self.start_thinking(battle)

    async def _announce_seats(self, battle: Battle) -> None:
        """A battle made or joined: ``game:start`` once everyone is seated; in any case
        ``game:update``, so that watching updates alone tells every state."""
        if battle.status is BattleStatus.ACTIVE:
            await self._publish(battle, "game:start")
        await self._publish(battle, "game:update")

    async def _announce_action(self, battle: Battle, record: ActionRecord) -> None:
        await self._publish(
            battle,
            "game:action",
            seq=record.seq,
            playerId=record.player_id,
            action=to_public(battle, record.action),
            at=record.at,
        )
        await self._publish(battle, "game:update", seq=record.seq)
        if battle.outcome:
            await self._announce_end(battle)

    async def _announce_end(self, battle: Battle) -> None:
        assert battle.outcome is not None
        winners = [battle.seats[seat].player_id for seat in battle.outcome.winners]
        await self._publish(
            battle,
            "game:end",
            winners=winners,
            winner=winners[0] if len(winners) == 1 else None,
            reason=battle.outcome.reason,
        )

    async def _append(self, battle: Battle, record: ActionRecord, *, header: bool) -> None:
        """Store an action (with the players' stats if it ended the battle). If another
        server process stored a different action in its place first, take that
        process's battle and refuse this action."""
        stats = self.stats.settle(battle)
        try:
            await self._store.append(battle, record, header=header, stats=stats)
        except WriteConflict:
            await self._reload(battle.id)
            await self._reload_stats(battle.id)
            raise Conflict(
                "the battle changed on another server", "fetch it again and retry"
            ) from None

    async def _catch_up(self, topic: str, event: Event) -> None:
        """Another process changed a battle: reload it (and, at its end, its players' stats)."""
        battle_id = topic.removeprefix("battle:")
        if battle_id == topic or event.name not in CHANGES:
            return
        if event.name == "game:end":
            await self._reload_stats(battle_id)
        else:
            await self._reload(battle_id)

    async def _reload(self, battle_id: str) -> None:
        """Replace the battle held in memory by the stored one."""
        stored = await self._store.load_one(battle_id)
        if stored is None:
            self._battles.pop(battle_id, None)
            self._clocked.discard(battle_id)
            return
        self._hold(stored)

    def _hold(self, stored: StoredBattle) -> Battle:
        """Bring a stored battle to life in memory, under the clock if it needs one."""
        battle = _revive(stored)
        self._battles[battle.id] = battle
        self._watch(battle)
        return battle

    async def _reload_stats(self, battle_id: str) -> None:
        battle = self._battles.get(battle_id)
        if battle is not None:
            users = [seat.user_id for seat in battle.seats if seat.user_id]
            self.stats.load(await self._store.load_stats(users))

    async def _publish(self, battle: Battle, name: str, **data: Any) -> None:
        await self._bus.publish(
            battle_topic(battle.id), Event(name, {"battleId": battle.id, **data})
        )


def _fallback(ruleset: Ruleset[Any], battle: Battle) -> Decision:
    """A legal action when the AI failed: chosen at random, but the same on every retry."""
    rng = random.Random(battle.seed + len(battle.actions))
    return Decision(rng.choice(ruleset.legal_actions(battle.state)), {"fallback": True})


def _status(seats: list[Seat], finished: bool) -> BattleStatus:
    if finished:
        return BattleStatus.FINISHED
    if any(seat.is_open for seat in seats):
        return BattleStatus.WAITING
    return BattleStatus.ACTIVE


def _revive(stored: StoredBattle) -> Battle:
    battle = Battle(
        id=stored.id,
        game=stored.game,
        seats=stored.seats,
        options=stored.options,
        seed=stored.seed,
        status=stored.status,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
        state=None,
        actions=stored.actions,
        outcome=stored.outcome,
        thinking=stored.thinking,
        rated=stored.rated,
        turn_started_at=stored.actions[-1].at if stored.actions else stored.updated_at,
    )
    battle.state = replay(RULESETS[battle.game], battle)
    return battle
