"""Round-robin, gauntlet and opening schedules: everyone meets as promised, colours even."""

from __future__ import annotations

from collections import Counter

import pytest

from gambit.contests.pairings import Pairing, Round, gauntlet, round_robin, with_openings


def _colours(rounds: list[Round], players: list[str]) -> dict[str, list[str]]:
    seq: dict[str, list[str]] = {p: [] for p in players}
    for rnd in rounds:
        seated = [p for pr in rnd.pairings for p in (pr.white, pr.black)]
        seated += [rnd.bye] if rnd.bye else []
        assert sorted(seated) == sorted(players)  # everyone once per round
        for pr in rnd.pairings:
            seq[pr.white].append("W")
            seq[pr.black].append("B")
    return seq


@pytest.mark.parametrize("n", range(2, 21))
def test_single_round_robin(n: int) -> None:
    players = [f"p{k}" for k in range(n)]
    rounds = round_robin(players)
    assert len(rounds) == (n if n % 2 else n - 1)
    meetings = Counter(frozenset((p.white, p.black)) for r in rounds for p in r.pairings)
    assert len(meetings) == n * (n - 1) // 2
    assert set(meetings.values()) == {1}
    for p, seq in _colours(rounds, players).items():
        assert abs(seq.count("W") - seq.count("B")) <= 1, p
        assert all(len(set(seq[i : i + 3])) == 2 for i in range(len(seq) - 2)), p
    byes = Counter(r.bye for r in rounds if r.bye)
    assert (set(byes) == set(players) and set(byes.values()) == {1}) if n % 2 else not byes


@pytest.mark.parametrize("n", [2, 3, 4, 7, 10])
def test_double_round_robin(n: int) -> None:
    players = [f"p{k}" for k in range(n)]
    rounds = round_robin(players, double=True)
    games = Counter((p.white, p.black) for r in rounds for p in r.pairings)
    assert len(games) == n * (n - 1)
    assert set(games.values()) == {1}
    for seq in _colours(rounds, players).values():
        assert seq.count("W") == seq.count("B")
    assert [r.number for r in rounds] == list(range(1, len(rounds) + 1))


def test_gauntlet_and_openings() -> None:
    pairings = gauntlet("champ", ["a", "b", "c"])
    assert pairings == [Pairing("champ", "a"), Pairing("b", "champ"), Pairing("champ", "c")]
    games = with_openings(pairings, ["e4", "d4"])
    assert len(games) == 12
    for pair in range(6):
        first, second = (g for g in games if g.pair == pair)
        assert (first.white, first.black) == (second.black, second.white)
        assert first.opening == second.opening
        assert (first.game, second.game) == (0, 1)
    seats = Counter(g.white for g in games)
    assert seats["champ"] == 6  # colours even for the champion
    with pytest.raises(ValueError, match="champion"):
        gauntlet("a", ["a", "b"])
    with pytest.raises(ValueError, match="distinct"):
        round_robin(["a", "a"])
