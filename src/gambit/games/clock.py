"""Chess clocks as lichess runs them, for any game: pure arithmetic on epoch milliseconds.

A battle with a time control has a `Clock`: each seat's remaining time, the seat whose
time is running and since when. No time runs until every seat has made its first move;
until then the seat to move must move within the start limit or the game is aborted.
After that a move costs its mover the time it took and then earns the increment;
correspondence ("days") gives every move a fresh allowance of that many days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from gambit.games.base import InvalidOptions

CLOCK = "clock"
"""Battle option: ``{"limit": seconds, "increment": seconds}``, a real-time clock."""
DAYS = "days"
"""Battle option: days per move, a correspondence clock."""

MAX_LIMIT_SECONDS = 10_800  # lichess's bounds
MAX_INCREMENT_SECONDS = 180
DAYS_CHOICES = (1, 2, 3, 5, 7, 10, 14)
START_SECONDS = 30
"""A real-time game's time for each side's first move (lichess gives about 30 s);
a side that takes longer aborts the game. Correspondence gives its days per move."""
ZERO_LIMIT_START_SECONDS = 3
"""A clock with no base time starts each side with its increment, but at least this
(lichess's rule, so that the first timed move is playable)."""
DAY_MS = 86_400_000

ABORTED = "aborted"
"""The reason of a game nobody started in time: no result, and not rated."""
TIMEOUT = "timeout"
"""The reason of a game a seat lost (or drew) because its time ran out."""

UNTIMED: Final = "untimed"
"""The speed of a battle without a time control."""
CORRESPONDENCE = "correspondence"
# lichess's split by estimated duration (limit + 40 increments, in seconds), fastest first
_SPEEDS = ((30, "ultraBullet"), (180, "bullet"), (480, "blitz"), (1500, "rapid"))
CLASSICAL = "classical"
SPEEDS = (UNTIMED, *(name for _, name in _SPEEDS), CLASSICAL, CORRESPONDENCE)


@dataclass(frozen=True, slots=True)
class TimeControl:
    """A real-time ``limit`` + ``increment`` (seconds), or ``days`` per move."""

    limit: int = 0
    increment: int = 0
    days: int | None = None

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> TimeControl | None:
        """The time control the battle ``options`` ask for, if any; raises
        `InvalidOptions` saying what is wrong with it."""
        clock, days = options.get(CLOCK), options.get(DAYS)
        if clock is not None and days is not None:
            raise InvalidOptions("choose either a clock or days per move, not both")
        if days is not None:
            if days not in DAYS_CHOICES:
                raise InvalidOptions(f"days must be one of {', '.join(map(str, DAYS_CHOICES))}")
            return cls(days=days)
        if clock is None:
            return None
        limit, increment = clock.get("limit"), clock.get("increment", 0)
        if not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT_SECONDS:
            raise InvalidOptions(f"the clock's limit must be 0 to {MAX_LIMIT_SECONDS} seconds")
        if not isinstance(increment, int) or not 0 <= increment <= MAX_INCREMENT_SECONDS:
            raise InvalidOptions(
                f"the clock's increment must be 0 to {MAX_INCREMENT_SECONDS} seconds"
            )
        if limit == increment == 0:
            raise InvalidOptions("a clock needs a limit or an increment above 0")
        return cls(limit, increment)

    @property
    def initial_ms(self) -> int:
        """Each seat's time at the start, and a correspondence move's allowance."""
        if self.days is not None:
            return self.days * DAY_MS
        if self.limit:
            return self.limit * 1000
        return max(self.increment, ZERO_LIMIT_START_SECONDS) * 1000

    @property
    def start_ms(self) -> int:
        """The time for a first move before the game is aborted."""
        return self.initial_ms if self.days is not None else START_SECONDS * 1000

    @property
    def speed(self) -> str:
        """lichess's speed: by estimated duration, or correspondence."""
        if self.days is not None:
            return CORRESPONDENCE
        estimate = self.limit + 40 * self.increment
        return next((name for below, name in _SPEEDS if estimate < below), CLASSICAL)


def speed(options: Mapping[str, Any]) -> str:
    """The speed of a battle with ``options``: `UNTIMED` without a time control."""
    control = TimeControl.of(options)
    return control.speed if control else UNTIMED


@dataclass(frozen=True, slots=True)
class Clock:
    """Each seat's ``remaining`` ms as measured at ``at`` (epoch ms, when the current turn
    began), and the seat whose time is ``running`` (None before every seat has moved,
    and once the game is over)."""

    control: TimeControl
    remaining: tuple[int, ...]
    running: int | None
    at: int

    @classmethod
    def start(cls, control: TimeControl, seats: int, at: int) -> Clock:
        return cls(control, (control.initial_ms,) * seats, None, at)

    def handed_over(self, now: int, mover: int | None, to: int | None, started: bool) -> Clock:
        """The clock when a turn ends at ``now``: the seat whose time ran pays for it, a
        ``mover`` whose time ran earns the increment (correspondence: a fresh allowance),
        and ``to``'s time runs from now if every seat has moved (``started``)."""
        remaining = list(remaining_now(self, now))
        if mover is not None and mover == self.running:
            if self.control.days is not None:
                remaining[mover] = self.control.initial_ms
            else:
                remaining[mover] += self.control.increment * 1000
        running = to if started and to is not None else None
        return replace(self, remaining=tuple(remaining), running=running, at=now)

    def deadline(self) -> int | None:
        """When the running seat's time runs out; before that, when the first move is
        late (the game aborts)."""
        if self.running is not None:
            return self.at + self.remaining[self.running]
        return self.at + self.control.start_ms

    def flagged(self, now: int) -> bool:
        """Whether the running seat's time has run out by ``now``."""
        return self.running is not None and now >= self.at + self.remaining[self.running]

    def to_json(self) -> dict[str, Any]:
        """What changes as the game goes (the control is in the battle's options)."""
        return {"remaining": list(self.remaining), "running": self.running, "at": self.at}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], control: TimeControl) -> Clock:
        return cls(control, tuple(data["remaining"]), data["running"], data["at"])


def remaining_now(clock: Clock, now: int) -> tuple[int, ...]:
    """Each seat's remaining ms at ``now`` (the running seat's time keeps going down)."""
    if clock.running is None:
        return clock.remaining
    spent = max(0, now - clock.at)
    return tuple(
        max(0, left - spent) if seat == clock.running else left
        for seat, left in enumerate(clock.remaining)
    )
