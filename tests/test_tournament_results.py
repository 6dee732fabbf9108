"""The statistics a tournament reports, from stored games (no server, no clock)."""

from __future__ import annotations

from typing import Any

import pytest

from gambit.services import tournaments
from gambit.services.tournaments import report, summary
from gambit.store.tournaments import (
    FINISHED,
    PENDING,
    StoredGame,
    StoredParticipant,
    StoredTournament,
)

SPRT = {"elo0": 0, "elo1": 200, "alpha": 0.05, "beta": 0.05}


def match(scores: list[float], pending: int = 0) -> StoredTournament:
    """A match of p1 against p2: ``scores`` are p1's, in pairs of colour-swapped games."""
    games = []
    for k, score in enumerate(scores):
        white, black = ("p1", "p2") if k % 2 == 0 else ("p2", "p1")
        games.append(
            StoredGame(
                k + 1, 1, k // 2, white, black, "e4 e5", {}, FINISHED,
                f"b{k}", score if white == "p1" else 1 - score, "checkmate", 1000 + k,
            )
        )  # fmt: skip
    games += [StoredGame(len(scores) + j + 1, 1, 99, "p1", "p2", None, {}) for j in range(pending)]
    return StoredTournament(
        id="t",
        name="m",
        game="chess",
        format="match",
        status="running",
        settings={"gamesPerPairing": 40, "sprt": SPRT},
        created_by="u",
        created_at=0,
        participants=[
            StoredParticipant("p1", 0, "Stockfish level 20", engine="stockfish", level=20),
            StoredParticipant("p2", 1, "bot", user_id="u2"),
        ],
        games=games,
    )


def test_a_one_sided_match_is_decided_for_h1_after_a_few_pairs() -> None:
    seen = report(match([1.0] * 16, pending=2))
    sprt = seen["sprt"]
    assert sprt["decision"] == "H1"
    assert sprt["history"][-1]["llr"] >= sprt["upper"] == 2.944
    assert len(sprt["history"]) == 7  # six won pairs make 2.936, the seventh decides
    assert seen["pentanomial"]["p1"] == [0, 0, 0, 0, 8]
    assert seen["pentanomial"]["p2"] == [8, 0, 0, 0, 0]
    assert seen["progress"] == {"played": 16, "running": 0, "total": None}
    p1, p2 = seen["standings"]
    assert (p1["participantId"], p1["points"], p1["elo"]) == ("p1", 16.0, 0.0)  # the anchor
    assert p2["elo"] < p2["eloHigh"] < 0  # a finite estimate below, by the draw prior
    assert seen["los"]["p1"]["p2"] > 0.99
    assert seen["crosstable"] == {
        "p1": {"p2": {"points": 16.0, "games": 16}},
        "p2": {"p1": {"points": 0.0, "games": 16}},
    }


def test_an_even_match_is_undecided_and_a_summary_counts_games() -> None:
    even = match([1.0, 0.0, 0.5, 0.5])
    sprt = report(even)["sprt"]
    assert sprt["decision"] is None
    assert [h["pairs"] for h in sprt["history"]] == [1, 2]
    assert summary(even)["played"] == 4
    fresh = report(match([]))
    assert fresh["standings"][0]["elo"] is None
    assert fresh["sprt"]["llr"] == 0.0
    assert all(g["status"] == PENDING for g in report(match([], pending=1))["games"])


def test_the_report_stands_when_the_elo_fit_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    def gives_up(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Elo fit did not converge")

    monkeypatch.setattr(tournaments, "fit_elo", gives_up)
    seen = report(match([1.0, 0.0, 0.5, 0.5]))
    assert [row["points"] for row in seen["standings"]] == [2.0, 2.0]
    assert all(row["elo"] is None for row in seen["standings"])
    assert seen["los"] == {}
