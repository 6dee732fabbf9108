"""The referee: every change of a battle, made on a copy, stored, then made known.

A change runs under the battle's lock in this process, on the battle as stored: the
referee copies it, lets the rules change the copy, stores the change on the version it
was made on, and only then puts the copy in memory and tells the bus. So a change is
answered only once it is durable, a refused one (a rule, the database away, another
process first) leaves the battle as it was, and two changes of one battle never
interleave. A change that ends a battle settles its players' stats in the same write.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from gambit.games import IllegalAction as IllegalByRules
from gambit.games import InvalidOptions
from gambit.games.base import Action, Outcome
from gambit.games.battle import (
    CHAT_LINES,
    FORFEIT,
    ActionRecord,
    Battle,
    BattleStatus,
    ChatLine,
    Seat,
    SeatKind,
    name_line,
    player_ids,
    replay,
    to_public,
)
from gambit.games.clock import ABORTED, TIMEOUT, Clock, TimeControl
from gambit.metrics import ACTIONS
from gambit.services.announcer import Announcer
from gambit.services.clock import deadline
from gambit.services.errors import (
    Busy,
    Conflict,
    Forbidden,
    GameOver,
    IllegalAction,
    InvalidRequest,
    InvalidStart,
    NotYourTurn,
    ServiceError,
)
from gambit.services.repository import BattleRepository
from gambit.services.stats import settlement
from gambit.store import BattleStore, Change, StorageUnavailable, WriteConflict

Actor = Callable[[Battle], int]
"""The seat acting, checked on the battle as it stands; raises a service error if the
caller may not act."""
Announce = Callable[[Battle], Awaitable[None]]
AfterChange = Callable[[Battle], Awaitable[None]]

DRAW_AGREED = "draw agreed"
ABANDONED = "abandoned"
"""A win claimed because the other side left the game."""


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class Edit:
    """What a change did to its copy of the battle, for the store and the bus."""

    announce: Announce
    appended: Sequence[ActionRecord] = ()
    truncated: bool = False
    seats_changed: bool = False
    deleted: bool = False


class Referee:
    def __init__(
        self,
        repository: BattleRepository,
        store: BattleStore,
        announcer: Announcer,
        *,
        waiting_expiry_seconds: float,
        now: Callable[[], int] = now_ms,
    ) -> None:
        self._repository = repository
        self._store = store
        self._announcer = announcer
        self._waiting_expiry_ms = int(waiting_expiry_seconds * 1000)
        self._now = now
        self._after: list[AfterChange] = []

    def after_change(self, hook: AfterChange, *, first: bool = False) -> None:
        """Run ``hook`` after every stored change (an AI seat may be next); ``first``:
        before the hooks already there (a change that may end the battle goes before
        the one that starts the next AI turn)."""
        if first:
            self._after.insert(0, hook)
        else:
            self._after.append(hook)

    # -- the changes -------------------------------------------------------------

    async def create(
        self,
        game: str,
        seats: list[Seat],
        options: Mapping[str, Any],
        battle_id: str | None = None,
    ) -> Battle:
        """A new battle: waiting while a human seat is open, else started (or finished,
        if it starts over). ``battle_id`` is a new UUID unless given (an accepted
        challenge's game keeps the challenge's id)."""
        seed = secrets.randbits(63)
        created = self._now()
        battle = Battle(
            id=battle_id or str(uuid.uuid4()),
            game=game,
            seats=seats,
            options=dict(options),
            seed=seed,
            status=BattleStatus.WAITING,
            created_at=created,
            updated_at=created,
            state=None,
            turn_started_at=created,
            version=1,
        )
        try:
            battle.state = battle.ruleset.initial_state(len(seats), options, seed)
            control = TimeControl.of(options)
        except InvalidOptions as exc:
            raise InvalidStart(str(exc)) from exc
        battle.outcome = battle.ruleset.outcome(battle.state)
        battle.status = _status(seats, battle.outcome is not None)
        if control is not None:
            battle.clock = Clock.start(control, len(seats), created)
        await self._store.save(
            Change(battle, None, deadline(battle, self._waiting_expiry_ms), seats_changed=True)
        )
        self._repository.put(battle)
        await self._announcer.seats(battle)
        await self._continue(battle)
        return battle

    async def take_seat(self, battle_id: str, taken: Seat) -> Battle:
        """Put ``taken`` (a user's) in the first open human seat; the battle starts once
        none is left."""

        def edit(battle: Battle) -> Edit:
            if battle.status is not BattleStatus.WAITING:
                raise Conflict("the battle has already started")
            if any(seat.user_id == taken.user_id for seat in battle.seats):
                raise Conflict("you already have a seat in this battle")
            free = next((i for i, seat in enumerate(battle.seats) if seat.is_open), None)
            if free is None:
                raise Conflict("the battle is full")
            battle.seats[free] = taken
            battle.status = _status(battle.seats, battle.outcome is not None)
            battle.updated_at = battle.turn_started_at = self._now()
            _pass_turn(battle, battle.updated_at)  # the first move's time starts now
            return Edit(self._announcer.seats, seats_changed=True)

        return await self._change(battle_id, edit)

    async def act(
        self,
        battle_id: str,
        actor: Actor,
        action: Mapping[str, Any],
        translate: Callable[[Battle], Action] | None = None,
        offering_draw: bool = False,
    ) -> Battle:
        """Play ``action`` for the seat ``actor`` names, which must be the seat to move;
        ``translate`` turns the action as the player wrote it into the rules' terms.
        With ``offering_draw`` the move offers a draw, or agrees to the one offered."""

        def edit(battle: Battle) -> Edit:
            seat = actor(battle)
            ensure_open(battle)
            if battle.to_move() != seat:
                raise NotYourTurn("it is not your turn")
            ruled = translate(battle) if translate else dict(action)
            offered = battle.table.draw
            try:
                record = self._play(battle, ruled, {})
            except IllegalByRules as exc:
                raise IllegalAction(str(exc)) from exc
            if offering_draw and battle.outcome is None:
                _offer_draw(battle, seat, offered)
            return Edit(_announce_action(self._announcer, record), appended=[record])

        return await self._change(battle_id, edit)

    async def play_for_ai(
        self, battle_id: str, version: int, action: Action, info: dict[str, Any]
    ) -> Battle | None:
        """Play an AI seat's chosen action, if the battle is still at the ``version`` it
        was chosen on (else, e.g. after a forfeit, None: the action is dropped)."""

        def edit(battle: Battle) -> Edit:
            if battle.version != version or not battle.thinking:
                raise _Stale()
            seat = battle.seats[battle.to_move()]
            record = self._play(battle, action, info)
            announcer = self._announcer

            async def announce(battle: Battle) -> None:
                await announcer.publish(
                    battle,
                    "ai:action",
                    playerId=seat.player_id,
                    action=to_public(battle, record.action),
                    evaluation=name_line(battle.game, player_ids(battle), record.info),
                )
                await _announce_action(announcer, record)(battle)
                await announcer.publish(battle, "ai:ready", playerId=seat.player_id)

            return Edit(announce, appended=[record])

        try:
            return await self._change(battle_id, edit)
        except _Stale:
            return None

    async def set_thinking(self, battle_id: str, thinking: bool, check: Actor) -> Battle:
        """Mark the AI seat to move as thinking (or, after a failed AI, not any more)."""

        def edit(battle: Battle) -> Edit:
            check(battle)
            if thinking:
                ensure_open(battle)
            battle.thinking = thinking
            battle.updated_at = self._now()
            return Edit(self._announcer.update)

        return await self._change(battle_id, edit)

    async def forfeit(self, battle_id: str, actor: Actor, reason: str = FORFEIT) -> Battle:
        """The seat ``actor`` names gives up (or its time ran out, ``reason`` `TIMEOUT`):
        it loses, and a battle of more players goes on without it."""

        def edit(battle: Battle) -> Edit:
            return self._forfeit(battle, actor(battle), reason)

        return await self._change(battle_id, edit)

    async def undo(self, battle_id: str, plies: int, check: Actor) -> Battle:
        """Take back the last ``plies`` actions; a finished battle opens again."""

        def edit(battle: Battle) -> Edit:
            check(battle)
            if battle.thinking:
                raise Busy("the computer is thinking; wait for its move")
            self._rewind(battle, plies)
            return Edit(self._announcer.update, truncated=True)

        return await self._change(battle_id, edit)

    async def replace_seats(
        self, battle_id: str, seats_for: Callable[[Battle], list[Seat]]
    ) -> Battle:
        def edit(battle: Battle) -> Edit:
            seats = seats_for(battle)
            if battle.thinking:
                raise Busy("the computer is thinking; wait for its move")
            battle.seats = seats
            battle.updated_at = self._now()
            return Edit(self._announcer.update, seats_changed=True)

        return await self._change(battle_id, edit)

    async def delete(self, battle_id: str, check: Actor) -> None:
        def edit(battle: Battle) -> Edit:
            check(battle)
            battle.thinking = False
            return Edit(self._announcer.deleted, deleted=True)

        await self._change(battle_id, edit)

    # -- what the players say besides moves (lichess's Bot and Board API) ------------

    async def offer_draw(self, battle_id: str, actor: Actor, accept: bool) -> Battle:
        """Offer a draw, or agree to the one the others offer (``accept``); or decline
        theirs (not ``accept``). The computer takes no draw offers."""

        def edit(battle: Battle) -> Edit:
            seat = actor(battle)
            ensure_open(battle)
            table = battle.table
            if not accept:
                battle.table = replace(table, draw=table.draw & {seat})
            elif any(battle.seats[other].kind is SeatKind.AI for other in _others(battle, seat)):
                raise InvalidRequest("the computer does not take draw offers")
            else:
                _offer_draw(battle, seat, table.draw)
            battle.updated_at = self._now()
            return Edit(self._end_or_update(battle))

        return await self._change(battle_id, edit)

    async def offer_takeback(self, battle_id: str, actor: Actor, accept: bool) -> Battle:
        """Propose to take back one's last move, or agree to the others' proposal
        (``accept``); or decline theirs. The computer agrees at once."""

        def edit(battle: Battle) -> Edit:
            seat = actor(battle)
            ensure_open(battle)
            table = battle.table
            others = _others(battle, seat)
            if not accept:
                battle.table = replace(table, takeback=table.takeback & {seat})
                battle.updated_at = self._now()
                return Edit(self._announcer.update)
            asker = next((other for other in others if other in table.takeback), None)
            if asker is None and all(battle.seats[o].kind is SeatKind.AI for o in others):
                asker = seat
            if asker is None:
                if not any(record.seat == seat for record in battle.actions):
                    raise InvalidRequest("you have no move to take back")
                battle.table = replace(table, takeback=table.takeback | {seat})
                battle.updated_at = self._now()
                return Edit(self._announcer.update)
            # Back to the asker's turn, before the asker's last move.
            plies = 2 if battle.to_move() == asker else 1
            if sum(1 for record in battle.actions[-plies:] if record.seat == asker) != 1:
                raise InvalidRequest("there is no move to take back")
            self._rewind(battle, plies)
            return Edit(self._announcer.update, truncated=True)

        return await self._change(battle_id, edit)

    async def say(
        self, battle_id: str, actor: Actor, room: str, username: str, text: str
    ) -> Battle:
        """A chat line, kept with the battle (the last `CHAT_LINES` of them)."""

        def edit(battle: Battle) -> Edit:
            actor(battle)
            table = battle.table
            line = ChatLine(room, username, text, self._now())
            battle.table = replace(
                table, chat=(*table.chat, line)[-CHAT_LINES:], said=table.said + 1
            )
            return Edit(self._announcer.update)

        return await self._change(battle_id, edit)

    async def abort(self, battle_id: str, actor: Actor) -> Battle:
        """Call the battle off while fewer than two moves have been played."""

        def edit(battle: Battle) -> Edit:
            actor(battle)
            if battle.status is BattleStatus.FINISHED:
                raise GameOver("the game is over")
            if len(battle.actions) >= 2:
                raise InvalidRequest("the game can no longer be aborted")
            battle.thinking = False
            battle.outcome = Outcome(winners=(), reason=ABORTED)
            battle.status = BattleStatus.FINISHED
            battle.updated_at = self._now()
            return Edit(_announce_end(self._announcer))

        return await self._change(battle_id, edit)

    async def set_away(self, battle_id: str, seat: int, away: bool) -> Battle:
        """Mark the seat as gone from the game since now, or back."""

        def edit(battle: Battle) -> Edit:
            table = battle.table
            kept = tuple(pair for pair in table.away if pair[0] != seat)
            now = self._now()
            battle.table = replace(table, away=(*kept, (seat, now)) if away else kept)
            return Edit(self._announcer.update)

        return await self._change(battle_id, edit)

    async def claim_victory(self, battle_id: str, actor: Actor, after_ms: int) -> Battle:
        """Win because every other side has been gone for ``after_ms`` or more."""

        def edit(battle: Battle) -> Edit:
            seat = actor(battle)
            if battle.status is not BattleStatus.ACTIVE:
                ensure_open(battle)
            now = self._now()
            for other in _others(battle, seat):
                since = battle.table.away_since(other)
                if since is None:
                    raise InvalidRequest("your opponent has not left the game")
                if now - since < after_ms:
                    left = (since + after_ms - now + 999) // 1000
                    raise InvalidRequest(f"your opponent may come back: claim in {left} s")
            battle.thinking = False
            battle.outcome = Outcome(winners=(seat,), reason=ABANDONED)
            battle.status = BattleStatus.FINISHED
            battle.updated_at = now
            return Edit(_announce_end(self._announcer))

        return await self._change(battle_id, edit)

    async def adjudicate(
        self, battle_id: str, decide: Callable[[Battle], Outcome | None]
    ) -> Battle | None:
        """End a battle in play with the outcome ``decide`` finds on the battle as it
        stands (a tournament's adjudication rules); None, and no change, if it is not in
        play any more or ``decide`` finds nothing. An AI turn in progress is dropped."""

        def edit(battle: Battle) -> Edit:
            if battle.status is not BattleStatus.ACTIVE:
                raise _Stale()
            outcome = decide(battle)
            if outcome is None:
                raise _Stale()
            battle.thinking = False
            battle.outcome = outcome
            battle.status = BattleStatus.FINISHED
            battle.updated_at = self._now()
            _pass_turn(battle, battle.updated_at)  # the clock stops
            return Edit(_announce_end(self._announcer))

        try:
            return await self._change(battle_id, edit)
        except _Stale:
            return None

    async def on_deadline(self, battle_id: str, now: int) -> None:
        """The clock says the battle is due: expire it, abort it (nobody started), or
        time out the seat to move."""

        def edit(battle: Battle) -> Edit:
            if battle.status is BattleStatus.WAITING:
                if now - battle.created_at < self._waiting_expiry_ms:
                    return Edit(_quiet)  # the deadline moved (a setting changed)
                battle.status = BattleStatus.FINISHED
                battle.outcome = Outcome(winners=(), reason="expired")
                battle.updated_at = now
                return Edit(_announce_end(self._announcer))
            due = deadline(battle, self._waiting_expiry_ms)
            if due is not None and now >= due:
                if battle.clock is not None and battle.clock.running is None:
                    return self._abort(battle, now)
                return self._forfeit(battle, battle.to_move(), TIMEOUT)
            # Not due after all (e.g. a deadline set by an older rule): storing the right
            # one stops the clock asking.
            return Edit(_quiet)

        await self._change(battle_id, edit)

    # -- the mechanism -----------------------------------------------------------

    async def _change(self, battle_id: str, edit: Callable[[Battle], Edit]) -> Battle:
        async with self._repository.locked(battle_id) as current:
            try:
                draft, done = self._edited(current, edit)
            except ServiceError:
                # Refused on the copy held here: make sure it is not an old one (another
                # process may have stored a change its news of has not arrived yet).
                fresh = await self._repository.recheck(battle_id)
                if fresh is None:
                    raise
                current = fresh
                draft, done = self._edited(current, edit)
            change = Change(
                draft,
                current.version,
                deadline(draft, self._waiting_expiry_ms),
                appended=done.appended,
                truncated=done.truncated,
                seats_changed=done.seats_changed,
                deleted=done.deleted,
                settle=settlement(draft),
            )
            try:
                await self._store.save(change)
            except WriteConflict:
                self._repository.distrust(battle_id)
                raise Conflict(
                    "the battle changed on another server", "fetch it again and retry"
                ) from None
            except StorageUnavailable:
                self._repository.distrust(battle_id)  # the commit may or may not have landed
                raise
            if done.appended:
                ACTIONS.labels(draft.game).inc(len(done.appended))
            if done.deleted:
                self._repository.forget(battle_id)
            else:
                self._repository.put(draft)
            await done.announce(draft)
        if not done.deleted:
            await self._continue(draft)
        return draft

    @staticmethod
    def _edited(current: Battle, edit: Callable[[Battle], Edit]) -> tuple[Battle, Edit]:
        draft = current.copy()
        done = edit(draft)
        draft.version = current.version + 1
        return draft, done

    async def _continue(self, battle: Battle) -> None:
        for hook in self._after:
            await hook(battle)

    def _abort(self, battle: Battle, now: int) -> Edit:
        """A first move came too late: the game ends without a result."""
        battle.status = BattleStatus.FINISHED
        battle.outcome = Outcome(winners=(), reason=ABORTED)
        battle.thinking = False
        battle.updated_at = now
        _pass_turn(battle, now)
        return Edit(_announce_end(self._announcer))

    def _forfeit(self, battle: Battle, seat: int, reason: str) -> Edit:
        if battle.status is BattleStatus.FINISHED:
            raise GameOver("the battle is over")
        if battle.status is BattleStatus.WAITING:
            raise Conflict("the battle has not started; there is nothing to forfeit")
        ruleset = battle.ruleset
        if battle.to_move() == seat:
            battle.thinking = False  # an AI turn in progress is dropped
        record = ActionRecord(
            seq=len(battle.actions) + 1,
            seat=seat,
            player_id=battle.seats[seat].player_id,
            action={"type": FORFEIT} if reason == FORFEIT else {"type": FORFEIT, "reason": reason},
            at=self._now(),
        )
        battle.actions.append(record)
        ended = ruleset.timeout(battle.state, seat) if reason == TIMEOUT else None
        left = ruleset.eliminate(battle.state, seat) if ended is None else None
        if ended is not None:
            battle.outcome = ended
        elif left is None:  # the game cannot go on without the seat: the others win
            others = tuple(i for i in range(len(battle.seats)) if i != seat)
            battle.outcome = Outcome(winners=others, reason=reason)
        else:
            battle.state = left
            battle.outcome = ruleset.outcome(left)
        if battle.outcome:
            battle.status = BattleStatus.FINISHED
        battle.updated_at = battle.turn_started_at = record.at
        _pass_turn(battle, record.at)
        return Edit(_announce_action(self._announcer, record), appended=[record])

    def _rewind(self, battle: Battle, plies: int) -> None:
        """Take back the last ``plies`` actions; a finished battle opens again."""
        if plies > len(battle.actions):
            played = len(battle.actions)
            raise InvalidRequest(f"cannot take back {plies} moves: {played} have been played")
        del battle.actions[len(battle.actions) - plies :]
        battle.state = replay(battle.ruleset, battle)
        battle.outcome = battle.ruleset.outcome(battle.state)
        battle.status = BattleStatus.FINISHED if battle.outcome else BattleStatus.ACTIVE
        battle.table = replace(battle.table, draw=frozenset(), takeback=frozenset())
        battle.updated_at = battle.turn_started_at = self._now()
        _pass_turn(battle, battle.updated_at)  # times are kept, as on lichess

    def _end_or_update(self, battle: Battle) -> Announce:
        return _announce_end(self._announcer) if battle.outcome else self._announcer.update

    def _play(self, battle: Battle, action: Action, info: dict[str, Any]) -> ActionRecord:
        """Apply an action to ``battle`` (a copy: it may be left half-changed on error)."""
        seat = battle.to_move()
        now = self._now()
        if battle.clock is not None and battle.clock.flagged(now):
            raise GameOver("the time to move has run out")  # the clock ends it within a tick
        state, recorded = battle.ruleset.apply(battle.state, action)
        record = ActionRecord(
            seq=len(battle.actions) + 1,
            seat=seat,
            player_id=battle.seats[seat].player_id,
            action=recorded,
            at=now,
            info=info,
        )
        battle.actions.append(record)
        battle.state = state
        if battle.table.has_offers:  # a move declines the others' offers
            table = battle.table
            battle.table = replace(table, draw=table.draw & {seat}, takeback=frozenset())
        battle.outcome = battle.ruleset.outcome(state)
        if battle.outcome:
            battle.status = BattleStatus.FINISHED
        battle.thinking = False
        battle.updated_at = battle.turn_started_at = record.at
        _pass_turn(battle, record.at, mover=seat)
        return record


def ensure_open(battle: Battle) -> None:
    """Refuse changes to a battle not in play, or one whose AI seat is thinking."""
    if battle.status is BattleStatus.WAITING:
        raise NotYourTurn("the battle is waiting for players to join")
    if battle.status is BattleStatus.FINISHED:
        reason = battle.outcome.reason if battle.outcome else "finished"
        raise GameOver(f"the game is over ({reason})")
    if battle.thinking:
        raise Busy("the computer is thinking; wait for its move")


def _others(battle: Battle, seat: int) -> list[int]:
    return [other for other in range(len(battle.seats)) if other != seat]


def _offer_draw(battle: Battle, seat: int, offered: frozenset[int]) -> None:
    """``seat`` offers a draw: agreed, and the battle drawn, once every other seat has
    offered one (``offered``) too."""
    if set(_others(battle, seat)) <= offered:
        battle.outcome = Outcome(winners=(), reason=DRAW_AGREED)
        battle.status = BattleStatus.FINISHED
        battle.table = replace(battle.table, draw=frozenset())
    else:
        battle.table = replace(battle.table, draw=offered | {seat})


def seated(user_id: str) -> Actor:
    """The seat of ``user_id`` in the battle; `Forbidden` if they have none."""

    def seat(battle: Battle) -> int:
        for index, taken in enumerate(battle.seats):
            if taken.user_id == user_id:
                return index
        raise Forbidden("this is not your game")

    return seat


class _Stale(Exception):
    """Nothing to change after all; no write."""


def _status(seats: list[Seat], finished: bool) -> BattleStatus:
    if finished:
        return BattleStatus.FINISHED
    if any(seat.is_open for seat in seats):
        return BattleStatus.WAITING
    return BattleStatus.ACTIVE


def _announce_action(announcer: Announcer, record: ActionRecord) -> Announce:
    async def announce(battle: Battle) -> None:
        await announcer.action(battle, record)

    return announce


def _pass_turn(battle: Battle, now: int, mover: int | None = None) -> None:
    """Hand a time control's clock to the seat to move now (``mover`` has just moved),
    or stop it when the battle is not in play."""
    if battle.clock is None:
        return
    playing = battle.status is BattleStatus.ACTIVE
    to = battle.to_move() if playing else None
    battle.clock = battle.clock.handed_over(now, mover, to, playing and battle.everyone_moved())


def _announce_end(announcer: Announcer) -> Announce:
    async def announce(battle: Battle) -> None:
        await announcer.update(battle)
        await announcer.end(battle)

    return announce


async def _quiet(battle: Battle) -> None:
    """A change nobody needs to hear of."""
