"""Swiss rounds: checked against brute force over every possible round for small fields."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from gambit.contests.pairings import Pairing
from gambit.contests.results import Bye, GameResult
from gambit.contests.standings import standings
from gambit.contests.swiss import swiss_round


def test_first_round_is_the_dutch_split() -> None:
    """Round one of eight: top half against bottom half in order (1 v 5, 2 v 6 ...), the
    higher seed white on odd boards and black on even ones."""
    players = [f"p{k}" for k in range(1, 9)]
    rnd = swiss_round(players)
    assert rnd.number == 1
    assert rnd.bye is None
    assert rnd.pairings == (
        Pairing("p1", "p5"),
        Pairing("p6", "p2"),
        Pairing("p3", "p7"),
        Pairing("p8", "p4"),
    )


def test_bye_goes_to_the_lowest_ranked_without_one() -> None:
    players = ["a", "b", "c", "d", "e"]
    first = swiss_round(players)
    assert first.bye == "e"
    games = [GameResult(p.white, p.black, 1.0, round=1) for p in first.pairings]
    byes = [Bye("e", round=1)]
    second = swiss_round(players, games, byes)
    assert second.number == 2
    assert second.bye not in (None, "e")
    # The lowest scorers without a bye are the two losers; the lower-seeded one sits out.
    losers = sorted((p.black for p in first.pairings), key=players.index)
    assert second.bye == losers[-1]
    assert standings(players, games, byes)[0].points == 1.0


def _matchings(items: list[str | None]) -> Iterator[list[tuple[str | None, str | None]]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for k, other in enumerate(rest):
        for tail in _matchings(rest[:k] + rest[k + 1 :]):
            yield [(first, other), *tail]


def _violates(colours: list[str], colour: str) -> bool:
    diff = colours.count("W") - colours.count("B") + (1 if colour == "W" else -1)
    return abs(diff) > 2 or colours[-2:] == [colour, colour]


def _cost(
    matching: list[tuple[str | None, str | None]],
    met: set[frozenset[str]],
    had_bye: set[str],
    colours: dict[str, list[str]],
) -> tuple[int, int, int]:
    """(rematches, second byes, colour violations with the better colours for each pair)."""
    rematches = second_byes = violations = 0
    for a, b in matching:
        if a is None or b is None:
            second_byes += (b if a is None else a) in had_bye
            continue
        rematches += frozenset((a, b)) in met
        violations += min(
            _violates(colours[a], "W") + _violates(colours[b], "B"),
            _violates(colours[b], "W") + _violates(colours[a], "B"),
        )
    return rematches, second_byes, violations


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 7), st.integers(1, 6), st.randoms(use_true_random=False))
def test_swiss_rounds_are_optimal_on_the_hard_rules(n: int, rounds: int, rng) -> None:  # type: ignore[no-untyped-def]
    """Each round: everyone plays once or has the bye; as few rematches as any round could
    have (none when a rematch-free round exists), then as few second byes, then as few
    colour violations (a third same colour in a row, or a difference beyond 2) -- compared
    with brute force over every possible round."""
    players = [f"p{k}" for k in range(n)]
    games: list[GameResult] = []
    byes: list[Bye] = []
    for number in range(1, rounds + 1):
        met = {frozenset((g.white, g.black)) for g in games}
        had_bye = {b.participant for b in byes}
        colours: dict[str, list[str]] = {p: [] for p in players}
        for g in games:
            colours[g.white].append("W")
            colours[g.black].append("B")

        seats: list[str | None] = [*players, None] if n % 2 else list(players)
        best = min(_cost(m, met, had_bye, colours) for m in _matchings(seats))
        rnd = swiss_round(players, games, byes)
        seated = [p for pr in rnd.pairings for p in (pr.white, pr.black)]
        assert sorted(seated + ([rnd.bye] if rnd.bye else [])) == players
        assert (rnd.bye is not None) == (n % 2 == 1)
        chosen: list[tuple[str | None, str | None]] = [(p.white, p.black) for p in rnd.pairings]
        if rnd.bye:
            chosen.append((rnd.bye, None))
        assert _cost(chosen, met, had_bye, colours) == best
        # The colours actually given never violate more than the best choice allowed.
        given_violations = sum(
            _violates(colours[p.white], "W") + _violates(colours[p.black], "B")
            for p in rnd.pairings
        )
        assert given_violations == best[2]
        for p in rnd.pairings:
            games.append(GameResult(p.white, p.black, rng.choice([0.0, 0.5, 1.0]), round=number))
        if rnd.bye:
            byes.append(Bye(rnd.bye, round=number))
