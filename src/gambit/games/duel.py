"""Duel: a tactical battle of 2 to 4 fighters on a square grid (DESIGN.md's ruleset).

Each fighter has health (0 to 100), energy (0 to 10), status effects and a position. Turns
go round the seats; at the start of its turn a fighter loses an expired shield, takes
poison damage, and then either skips the turn (stunned) or gains 2 energy. One action
a turn. A fighter at 0 health is out; the last one standing wins; after the last round
the most health wins, and a tie for it is a draw.

Distances are Manhattan distances; targets are seat numbers (the battle core turns
them into player ids and back). There is no randomness, so the same actions from the
same start always give the same states.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gambit.games.base import (
    Action,
    IllegalAction,
    InvalidOptions,
    Outcome,
    Position,
    PublicView,
    Start,
)

MAX_HEALTH = 100
MAX_ENERGY = 10
START_ENERGY = 5
ENERGY_PER_TURN = 2
DEFAULT_SIZE = 7
MIN_SIZE, MAX_SIZE = 5, 15
DEFAULT_MAX_ROUNDS = 100
STARTS = 1 << 30  # a contest's start numbers are drawn below this

MOVE_RANGE = 2  # tiles, 1 energy each
ATTACK_DAMAGE, ATTACK_COST = 12, 2
BOLT_DAMAGE, BOLT_COST, BOLT_RANGE = 8, 3, 3
SHIELD_COST = 2
POISON_DAMAGE, POISON_TURNS, POISON_COST = 5, 3, 3
STUN_COST, STUN_RANGE = 5, 2
HEAL_AMOUNT, HEAL_COST = 15, 4
REST_ENERGY = 3

SHIELDED, POISONED, STUNNED = "shielded", "poisoned", "stunned"
TARGETED = ("attack", "bolt", "poison", "stun")
ACTION_TYPES = ("move", "attack", "bolt", "shield", "poison", "stun", "heal", "rest")


@dataclass(slots=True)
class Fighter:
    health: int
    energy: int
    x: int
    y: int
    status: dict[str, int] = field(default_factory=dict)  # effect -> turns left

    @property
    def alive(self) -> bool:
        return self.health > 0

    def copy(self) -> Fighter:
        return Fighter(self.health, self.energy, self.x, self.y, dict(self.status))

    def to_json(self) -> dict[str, Any]:
        """Seed 000's PlayerState."""
        return {
            "health": self.health,
            "energy": self.energy,
            "status": [{"type": kind, "turnsLeft": left} for kind, left in self.status.items()],
            "position": {"x": self.x, "y": self.y},
        }


@dataclass(slots=True)
class DuelState:
    size: int
    max_rounds: int
    fighters: list[Fighter]
    turn: int = 0  # the seat to move
    round: int = 1
    result: Outcome | None = None

    def copy(self) -> DuelState:
        return DuelState(
            self.size,
            self.max_rounds,
            [fighter.copy() for fighter in self.fighters],
            self.turn,
            self.round,
            self.result,
        )

    def occupied(self, x: int, y: int) -> bool:
        return any(f.alive and f.x == x and f.y == y for f in self.fighters)

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "round": self.round,
            "turn": self.turn,
            "fighters": [fighter.to_json() for fighter in self.fighters],
        }


def position(
    fighters: Sequence[Mapping[str, Any]], turn: int, *, size: int = DEFAULT_SIZE, round: int = 1
) -> DuelState:
    """A duel position from seed 000's PlayerStates (in seat order), for analysis.

    Raises `InvalidOptions` with the reason when the position could not arise in a duel.
    """
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InvalidOptions(f"size must be from {MIN_SIZE} to {MAX_SIZE}")
    if not 2 <= len(fighters) <= DuelRuleset.max_seats:
        raise InvalidOptions("a duel has 2 to 4 players")
    if not 1 <= round <= DEFAULT_MAX_ROUNDS:
        raise InvalidOptions(f"round must be from 1 to {DEFAULT_MAX_ROUNDS}")
    state = DuelState(size, DEFAULT_MAX_ROUNDS, [_fighter(f, size) for f in fighters], turn, round)
    alive = [(f.x, f.y) for f in state.fighters if f.alive]
    if len(set(alive)) != len(alive):
        raise InvalidOptions("two fighters share a tile")
    if len(alive) < 2:
        raise InvalidOptions("the duel is over: fewer than two fighters are in")
    if not 0 <= turn < len(fighters) or not state.fighters[turn].alive:
        raise InvalidOptions("currentTurn must be a fighter still in the duel")
    return state


def _fighter(data: Mapping[str, Any], size: int) -> Fighter:
    def number(value: Any, low: int, high: int, name: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidOptions(f"{name} must be an integer from {low} to {high}")
        return value

    if not isinstance(data, Mapping):
        raise InvalidOptions("a player's state is {health, energy, status, position}")
    where = data.get("position")
    if not isinstance(where, Mapping):
        raise InvalidOptions('position must be {"x": int, "y": int}')
    effects = data.get("status", [])
    if not isinstance(effects, list):
        raise InvalidOptions("status must be a list of {type, turnsLeft}")
    status: dict[str, int] = {}
    for effect in effects:
        if not isinstance(effect, Mapping) or effect.get("type") not in (
            SHIELDED,
            POISONED,
            STUNNED,
        ):
            raise InvalidOptions(
                f"a status is {{type, turnsLeft}} of {SHIELDED}, {POISONED}, {STUNNED}"
            )
        status[effect["type"]] = number(effect.get("turnsLeft"), 1, 10, "turnsLeft")
    return Fighter(
        health=number(data.get("health"), 0, MAX_HEALTH, "health"),
        energy=number(data.get("energy"), 0, MAX_ENERGY, "energy"),
        x=number(where.get("x"), 0, size - 1, "x"),
        y=number(where.get("y"), 0, size - 1, "y"),
        status=status,
    )


def distance(a: Fighter, b: Fighter) -> int:
    return abs(a.x - b.x) + abs(a.y - b.y)


class DuelRuleset:
    """Options: ``{"size": 5 to 15, "maxRounds": 1 to 100, "start": int}``; 2 to 4 seats.

    Fighters start in the corners; with ``start`` (two seats only) the first starts on a
    tile that number picks and the second on its mirror image through the centre, so
    the two games of a contest pair, seats swapped, start from the same position."""

    name = "duel"
    min_seats = 2
    max_seats = 4
    seat_fields: tuple[str, ...] = ("target",)
    adjudication_by_score: bool = False
    round_limit_option: str | None = "maxRounds"
    engine = "duel-ai"
    engine_title = "duel AI"

    def initial_state(self, seats: int, options: Mapping[str, Any], seed: int) -> DuelState:
        size = options.get("size", DEFAULT_SIZE)
        max_rounds = options.get("maxRounds", DEFAULT_MAX_ROUNDS)
        if not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
            raise InvalidOptions(f"size must be an integer from {MIN_SIZE} to {MAX_SIZE}")
        if not isinstance(max_rounds, int) or not 1 <= max_rounds <= DEFAULT_MAX_ROUNDS:
            raise InvalidOptions(f"maxRounds must be an integer from 1 to {DEFAULT_MAX_ROUNDS}")
        if not self.min_seats <= seats <= self.max_seats:
            raise InvalidOptions(f"duel takes {self.min_seats} to {self.max_seats} players")
        last = size - 1
        corners = [(0, 0), (last, last), (last, 0), (0, last)]
        start = options.get("start")
        if start is not None:
            if not isinstance(start, int) or isinstance(start, bool) or start < 0 or seats != 2:
                raise InvalidOptions("start is a number, for two players")
            # Only the tiles of the first fighter's half: never its own mirror image.
            x, y = divmod(start % (size * size // 2), size)
            corners = [(x, y), (last - x, last - y)]
        fighters = [Fighter(MAX_HEALTH, START_ENERGY, x, y) for x, y in corners[:seats]]
        state = DuelState(size, max_rounds, fighters)
        _start_turn(state)
        return state

    def copy(self, state: DuelState) -> DuelState:
        return state.copy()

    def to_move(self, state: DuelState) -> int:
        return state.turn

    def legal_actions(self, state: DuelState) -> list[Action]:
        return list(_legal_actions(state))

    def apply(self, state: DuelState, action: Mapping[str, Any]) -> tuple[DuelState, Action]:
        if state.result is not None:
            raise IllegalAction("the duel is over")
        recorded = _check(state, action)
        _perform(state, recorded)
        _end_turn(state)
        return state, recorded

    def outcome(self, state: DuelState) -> Outcome | None:
        return state.result

    def eliminate(self, state: DuelState, seat: int) -> DuelState:
        """Take a fighter out (it forfeited); the duel goes on without it."""
        if state.result is None and state.fighters[seat].alive:
            state.fighters[seat].health = 0
            _settle(state, "forfeit")
            if state.result is None and state.turn == seat:
                _end_turn(state)
        return state

    def timeout(self, state: DuelState, seat: int) -> None:
        """A fighter out of time is out, as if it had forfeited."""
        return

    def view(self, state: DuelState, ids: Sequence[str], actions: Sequence[Action]) -> PublicView:
        return PublicView(state.round, {ids[i]: f.to_json() for i, f in enumerate(state.fighters)})

    def position(self, data: Mapping[str, Any] | str) -> Position[DuelState]:
        """Seed 000's GameState: ``players`` (PlayerStates by player id, in seat order),
        ``currentTurn``; optionally ``size`` and ``round``."""
        if not isinstance(data, Mapping) or not isinstance(data.get("players"), Mapping):
            raise InvalidOptions('a duel state needs "players" and "currentTurn"')
        ids = list(data["players"])
        if data.get("currentTurn") not in ids:
            raise InvalidOptions("currentTurn must be one of the players")
        size, round = data.get("size", DEFAULT_SIZE), data.get("round", 1)
        for name, value in (("size", size), ("round", round)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise InvalidOptions(f"{name} must be an integer")
        fighters = list(data["players"].values())
        state = position(fighters, ids.index(data["currentTurn"]), size=size, round=round)
        return Position(state, tuple(ids))

    def record(
        self,
        state: DuelState,
        names: Sequence[str],
        outcome: Outcome | None,
        tags: Mapping[str, str],
    ) -> None:
        """Duel has no standard notation: its replay is the action log."""
        return

    def contest_starts(
        self, openings: Mapping[str, Any] | None, pairs: range, seed: int
    ) -> list[Start]:
        """No openings: each pair starts from a ``start`` of its own (mirrored, so its
        two games, seats swapped, start alike), drawn from ``seed`` and its number."""
        return [
            Start(None, {"start": random.Random(f"{seed}:{pair}").randrange(STARTS)})
            for pair in pairs
        ]


def _check(state: DuelState, action: Mapping[str, Any]) -> Action:
    """The action as it will be recorded, if the fighter to move may take it."""
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        raise IllegalAction(f"type must be one of {', '.join(ACTION_TYPES)}")
    me = state.fighters[state.turn]
    if kind == "move":
        to = action.get("to")
        if not isinstance(to, Mapping) or not all(
            isinstance(to.get(k), int) and not isinstance(to.get(k), bool) for k in ("x", "y")
        ):
            raise IllegalAction('a move needs "to": {"x": int, "y": int}')
        x, y = to["x"], to["y"]
        steps = abs(x - me.x) + abs(y - me.y)
        if not (0 <= x < state.size and 0 <= y < state.size):
            raise IllegalAction(f"({x}, {y}) is off the {state.size}x{state.size} board")
        if not 1 <= steps <= MOVE_RANGE:
            raise IllegalAction(f"a move goes 1 to {MOVE_RANGE} tiles")
        if state.occupied(x, y):
            raise IllegalAction(f"({x}, {y}) is taken")
        if steps == MOVE_RANGE and not _has_free_path(state, me, x, y):
            raise IllegalAction(f"the way to ({x}, {y}) is blocked")
        _pay(me, steps)
        return {"type": "move", "to": {"x": x, "y": y}}
    if kind in TARGETED:
        target = action.get("target")
        if (
            not isinstance(target, int)
            or isinstance(target, bool)
            or not 0 <= target < len(state.fighters)
            or target == state.turn
            or not state.fighters[target].alive
        ):
            raise IllegalAction(f"{kind} needs a target: another fighter still in the duel")
        reach = {"attack": 1, "poison": 1, "bolt": BOLT_RANGE, "stun": STUN_RANGE}[kind]
        if distance(me, state.fighters[target]) > reach:
            raise IllegalAction(f"{kind} reaches {reach} tile{'s' if reach > 1 else ''}")
        cost = {"attack": ATTACK_COST, "bolt": BOLT_COST, "poison": POISON_COST, "stun": STUN_COST}
        _pay(me, cost[kind])
        return {"type": kind, "target": target}
    _pay(me, {"shield": SHIELD_COST, "heal": HEAL_COST, "rest": 0}[kind])
    return {"type": kind}


def _pay(fighter: Fighter, cost: int) -> None:
    if fighter.energy < cost:
        raise IllegalAction(f"needs {cost} energy, has {fighter.energy}")


def _has_free_path(state: DuelState, me: Fighter, x: int, y: int) -> bool:
    middles = (
        {(me.x, y), (x, me.y)} if me.x != x and me.y != y else {((me.x + x) // 2, (me.y + y) // 2)}
    )
    return any(not state.occupied(mx, my) for mx, my in middles)


def _perform(state: DuelState, action: Action) -> None:
    """Carry out a checked action for the fighter to move."""
    me = state.fighters[state.turn]
    kind = action["type"]
    if kind == "move":
        me.energy -= abs(action["to"]["x"] - me.x) + abs(action["to"]["y"] - me.y)
        me.x, me.y = action["to"]["x"], action["to"]["y"]
    elif kind == "attack":
        me.energy -= ATTACK_COST
        _hurt(state.fighters[action["target"]], ATTACK_DAMAGE)
    elif kind == "bolt":
        me.energy -= BOLT_COST
        _hurt(state.fighters[action["target"]], BOLT_DAMAGE)
    elif kind == "shield":
        me.energy -= SHIELD_COST
        me.status[SHIELDED] = 1
    elif kind == "poison":
        me.energy -= POISON_COST
        state.fighters[action["target"]].status[POISONED] = POISON_TURNS
    elif kind == "stun":
        me.energy -= STUN_COST
        state.fighters[action["target"]].status[STUNNED] = 1
    elif kind == "heal":
        me.energy -= HEAL_COST
        me.health = min(MAX_HEALTH, me.health + HEAL_AMOUNT)
    else:  # rest
        me.energy = min(MAX_ENERGY, me.energy + REST_ENERGY)
    _settle(state, "last one standing")


def _hurt(fighter: Fighter, damage: int) -> None:
    if SHIELDED in fighter.status:
        damage //= 2
    fighter.health = max(0, fighter.health - damage)
    if not fighter.alive:
        fighter.status.clear()


def _settle(state: DuelState, reason: str) -> None:
    """Declare the winner once only one fighter is left."""
    alive = [seat for seat, fighter in enumerate(state.fighters) if fighter.alive]
    if len(alive) == 1:
        state.result = Outcome(winners=(alive[0],), reason=reason)
    elif not alive:
        state.result = Outcome(winners=(), reason="no one left standing")


def _end_turn(state: DuelState) -> None:
    """Pass the turn to the next fighter still in, running its start of turn."""
    while state.result is None:
        previous = state.turn
        state.turn = _next_alive(state, previous)
        if state.turn <= previous:
            state.round += 1
            if state.round > state.max_rounds:
                state.round = state.max_rounds
                _time_up(state)
                return
        if _start_turn(state):
            return


def _next_alive(state: DuelState, seat: int) -> int:
    count = len(state.fighters)
    for step in range(1, count + 1):
        candidate = (seat + step) % count
        if state.fighters[candidate].alive:
            return candidate
    return seat


def _start_turn(state: DuelState) -> bool:
    """The start of the turn of the fighter to move; False if it does not get to act."""
    me = state.fighters[state.turn]
    me.status.pop(SHIELDED, None)
    if POISONED in me.status:
        me.health = max(0, me.health - POISON_DAMAGE)
        me.status[POISONED] -= 1
        if me.status[POISONED] == 0:
            del me.status[POISONED]
        if not me.alive:
            me.status.clear()
            _settle(state, "last one standing")
            return False
    if me.status.pop(STUNNED, None):
        return False
    me.energy = min(MAX_ENERGY, me.energy + ENERGY_PER_TURN)
    return True


def _time_up(state: DuelState) -> None:
    best = max(f.health for f in state.fighters)
    leaders = tuple(seat for seat, f in enumerate(state.fighters) if f.alive and f.health == best)
    reason = f"round limit: most health ({best})"
    state.result = Outcome(winners=leaders if len(leaders) == 1 else (), reason=reason)


def _legal_actions(state: DuelState) -> Iterator[Action]:
    if state.result is not None:
        return
    me = state.fighters[state.turn]
    for dx in range(-MOVE_RANGE, MOVE_RANGE + 1):
        for dy in range(-MOVE_RANGE, MOVE_RANGE + 1):
            steps = abs(dx) + abs(dy)
            x, y = me.x + dx, me.y + dy
            if (
                1 <= steps <= MOVE_RANGE
                and steps <= me.energy
                and 0 <= x < state.size
                and 0 <= y < state.size
                and not state.occupied(x, y)
                and (steps < MOVE_RANGE or _has_free_path(state, me, x, y))
            ):
                yield {"type": "move", "to": {"x": x, "y": y}}
    for seat, other in enumerate(state.fighters):
        if seat == state.turn or not other.alive:
            continue
        gap = distance(me, other)
        if gap <= 1 and me.energy >= ATTACK_COST:
            yield {"type": "attack", "target": seat}
        if gap <= BOLT_RANGE and me.energy >= BOLT_COST:
            yield {"type": "bolt", "target": seat}
        if gap <= 1 and me.energy >= POISON_COST:
            yield {"type": "poison", "target": seat}
        if gap <= STUN_RANGE and me.energy >= STUN_COST:
            yield {"type": "stun", "target": seat}
    if me.energy >= SHIELD_COST:
        yield {"type": "shield"}
    if me.energy >= HEAL_COST:
        yield {"type": "heal"}
    yield {"type": "rest"}
