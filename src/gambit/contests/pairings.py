"""Fixed schedules: round-robin (circle method), gauntlet, and openings x colours.

Each function returns who meets whom and with which colours; the runner turns them into
battles. A :class:`Pairing`'s ``white`` is the first seat (white in chess).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pairing:
    """One meeting: ``white`` takes the first seat."""

    white: str
    black: str

    def swapped(self) -> Pairing:
        return Pairing(self.black, self.white)


@dataclass(frozen=True, slots=True)
class Round:
    """The pairings of one round, and who sits out (odd count), if anyone."""

    number: int  # 1-based
    pairings: tuple[Pairing, ...]
    bye: str | None = None


def _check(participants: Sequence[str], minimum: int) -> list[str]:
    players = list(participants)
    if len(set(players)) != len(players):
        raise ValueError("participants must be distinct")
    if len(players) < minimum:
        raise ValueError(f"need at least {minimum} participants")
    return players


def round_robin(participants: Sequence[str], *, double: bool = False) -> list[Round]:
    """Every participant meets every other once (twice with ``double``), by the circle method.

    With ``m`` seats (the participants, plus an empty seat when their count is odd — its
    partner has the bye) there are ``m - 1`` rounds. The last seat is fixed at the centre of a
    polygon of the other ``m - 1``; in round ``r`` seat ``r`` meets the centre and seats
    ``r - k`` and ``r + k`` (mod ``m - 1``) meet for ``k = 1 … m/2 - 1``. Colours: the centre
    alternates (white in even rounds), and on the chord ``k`` seat ``r + k`` has white when
    ``k`` is odd. This gives every participant colours within one of equal over the cycle and
    never the same colour three rounds running (tests check both for n ≤ 20). The second cycle
    of a double round-robin repeats the first with colours reversed, so colours end equal.
    """
    seats: list[str | None] = list(_check(participants, 2))
    if len(seats) % 2:
        seats.append(None)
    m = len(seats)
    q = m - 1
    centre = seats[-1]
    rounds: list[Round] = []
    for r in range(q):
        meetings: list[tuple[str | None, str | None]] = []
        hub = seats[r % q]
        meetings.append((centre, hub) if r % 2 == 0 else (hub, centre))
        for k in range(1, m // 2):
            down, up = seats[(r - k) % q], seats[(r + k) % q]
            meetings.append((up, down) if k % 2 == 1 else (down, up))
        pairs: list[Pairing] = []
        bye: str | None = None
        for white, black in meetings:
            if white is None or black is None:
                bye = black if white is None else white
            else:
                pairs.append(Pairing(white, black))
        rounds.append(Round(r + 1, tuple(pairs), bye))
    if double:
        rounds += [
            Round(q + k + 1, tuple(p.swapped() for p in rnd.pairings), rnd.bye)
            for k, rnd in enumerate(list(rounds))
        ]
    return rounds


def gauntlet(champion: str, opponents: Sequence[str]) -> list[Pairing]:
    """The champion meets each opponent once, taking white in every other meeting.

    Expand with :func:`with_openings` to play each opening twice with colours swapped.
    """
    others = _check(opponents, 1)
    if champion in others:
        raise ValueError("the champion cannot also be an opponent")
    return [
        Pairing(champion, other) if k % 2 == 0 else Pairing(other, champion)
        for k, other in enumerate(others)
    ]


@dataclass(frozen=True, slots=True)
class ScheduledGame(Generic[T]):
    """One game to play: the pairing's ``pair`` number is shared by the two colour-swapped
    games of one opening (it is the key pentanomial counts group by)."""

    white: str
    black: str
    opening: T
    pair: int
    game: int = field(default=0)  # 0 for the first game of the pair, 1 for the reverse


def with_openings(
    pairings: Sequence[Pairing], openings: Sequence[T], *, first_pair: int = 0
) -> list[ScheduledGame[T]]:
    """Each pairing x each opening, played twice with colours swapped.

    Games come pairing by pairing, and opening by opening within a pairing; each opening's
    two games are adjacent, so a runner that plays them in order completes pairs early.
    """
    if not openings:
        raise ValueError("at least one opening (or a placeholder start) is needed")
    games: list[ScheduledGame[T]] = []
    pair = first_pair
    for pairing in pairings:
        for opening in openings:
            games.append(ScheduledGame(pairing.white, pairing.black, opening, pair, 0))
            games.append(ScheduledGame(pairing.black, pairing.white, opening, pair, 1))
            pair += 1
    return games
