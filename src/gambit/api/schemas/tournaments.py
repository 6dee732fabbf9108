"""Bodies of tournaments and matches."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gambit.api.schemas.battles import ClockOption, GameName
from gambit.api.schemas.common import ContestSearchTime, JsonModel, Level, rule_error
from gambit.games import RULESETS

Format = Literal["round-robin", "double-round-robin", "gauntlet", "swiss", "match"]
Status = Literal["open", "running", "paused", "finished", "canceled"]
MAX_UPLOAD_CHARS = 48_000  # within the request body limit


class ParticipantEntry(JsonModel):
    """A user (`userId`), or a built-in engine by spec (`engine`, `level`, `searchTime`)."""

    userId: str | None = Field(None, max_length=36, description="A user: a bot or a person.")
    engine: str | None = Field(
        None,
        description="A built-in engine, the one that plays the tournament's game: "
        + ", ".join(f"`{r.engine}` plays {r.name}" for r in RULESETS.values())
        + ".",
        json_schema_extra={"enum": [r.engine for r in RULESETS.values()]},
    )
    level: Level | None = Field(None, description="Engine strength 0–20 (10).")
    searchTime: ContestSearchTime | None = Field(
        None, description="Engine thinking time per move, ms, 10–10000 (1000)."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> ParticipantEntry:
        if (self.userId is None) == (self.engine is None):
            raise rule_error("is a userId or an engine, one of the two")
        return self


class Openings(JsonModel):
    """Where each pair's games start, one of: the built-in book of 40 balanced main lines,
    your EPD lines, your PGN games (chess; duel pairs start from a seeded position and its
    mirror image)."""

    book: Literal["builtin"] | None = Field(None, description="The built-in book.")
    epd: str | None = Field(None, max_length=MAX_UPLOAD_CHARS, description="One FEN/EPD a line.")
    pgn: str | None = Field(None, max_length=MAX_UPLOAD_CHARS, description="Each game's moves.")


class ResignRule(JsonModel):
    score: int = Field(ge=100, le=10_000, description="Centipawns both engines agree on.")
    moves: int = Field(ge=1, le=100, description="For this many moves in a row.")


class DrawRule(JsonModel):
    score: int = Field(ge=0, le=1000, description="Centipawns within zero.")
    moves: int = Field(ge=1, le=100, description="For this many moves in a row.")
    after: int = Field(ge=0, le=500, description="From this move on.")


class Adjudication(JsonModel):
    """Chess: resign and draw rules on the engines' scores; duel: a round limit."""

    resign: ResignRule | None = Field(
        None, description="Chess: a game is lost once both engines agree it is."
    )
    draw: DrawRule | None = Field(
        None, description="Chess: a game is drawn once both engines agree it is level."
    )
    maxRounds: int | None = Field(None, ge=1, le=100, description="Duel: the round limit.")


class SprtSettings(JsonModel):
    """A sequential test of the first participant against the second: the match stops
    as soon as it decides between the two hypotheses."""

    elo0: float = Field(ge=-1000, le=1000, description="H0: the Elo difference is this.")
    elo1: float = Field(ge=-1000, le=1000, description="H1: the Elo difference is this.")
    alpha: float = Field(0.05, gt=0, lt=0.5, description="The chance of accepting H1 wrongly.")
    beta: float = Field(0.05, gt=0, lt=0.5, description="The chance of accepting H0 wrongly.")


class CreateTournamentRequest(JsonModel):
    name: str = Field(min_length=1, max_length=100, description="What people read.")
    game: GameName = Field(description="`chess` or `duel`.")
    format: Format = Field(
        description="`round-robin` (everyone plays everyone), `double-round-robin` (twice), "
        "`gauntlet` (the first participant against every other), `swiss` (`rounds` of "
        "pairings by score) or `match` (two participants and an `sprt`)."
    )
    participants: list[ParticipantEntry] = Field(
        default_factory=list,
        max_length=64,
        description="Users and built-in engines; users may also join while it is open.",
    )
    rounds: int | None = Field(
        None, ge=1, le=50, description="Swiss only, and needed there: how many rounds."
    )
    gamesPerPairing: int = Field(
        2,
        ge=2,
        le=1000,
        description="Games each pair plays, even: each opening twice, colours swapped "
        "(a match's cap when it has an SPRT).",
    )
    timeControl: ClockOption | None = Field(
        None, description="A clock for every game, as a battle's `clock` option."
    )
    openings: Openings = Field(
        default_factory=lambda: Openings(book="builtin"),
        description="Where games start; the built-in book by default.",
    )
    concurrency: int = Field(2, ge=1, le=32, description="How many games are played at once.")
    adjudication: Adjudication | None = Field(None, description="Rules that end long games early.")
    sprt: SprtSettings | None = Field(
        None, description="A match needs it, and only a match takes it."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Levels",
                    "game": "chess",
                    "format": "round-robin",
                    "gamesPerPairing": 2,
                    "concurrency": 2,
                    "participants": [
                        {"engine": "stockfish", "level": 10, "searchTime": 50},
                        {"engine": "stockfish", "level": 0, "searchTime": 50},
                        {"engine": "stockfish", "level": 20, "searchTime": 50},
                    ],
                }
            ]
        }
    )


class TournamentSummary(BaseModel):
    id: str
    name: str
    game: str
    format: str
    status: Status
    createdBy: str = Field(description="The creator's user id.")
    createdAt: int = Field(description="Epoch milliseconds.")
    participants: int = Field(description="How many.")
    played: int = Field(description="Games finished.")
    total: int | None = Field(description="Games in all; null while not yet known.")


class TournamentPage(BaseModel):
    tournaments: list[TournamentSummary] = Field(description="Newest first.")
    nextOffset: int | None = Field(description="Pass as `offset` for the next page.")


class ParticipantView(BaseModel):
    id: str = Field(description="Its id in this tournament (`p1`, `p2`, …).")
    name: str = Field(description="A user's name, or the engine and its level.")
    kind: Literal["user", "engine"]
    userId: str | None = Field(description="A user's id; null for an engine.")
    engine: str | None = Field(description="An engine's name; null for a user.")
    level: int | None = Field(description="An engine's strength 0–20.")
    searchTime: int | None = Field(description="An engine's thinking time per move, ms.")


class Progress(BaseModel):
    played: int = Field(description="Games finished.")
    running: int = Field(description="Games in play now.")
    total: int | None = Field(description="null for Swiss before its last round, and matches.")


class StandingRow(BaseModel):
    rank: int = Field(
        description="1 for the most points; ties broken by Buchholz, then Sonneborn-Berger."
    )
    participantId: str
    points: float = Field(description="1 a win, ½ a draw.")
    games: int = Field(description="Games finished.")
    wins: int
    draws: int
    losses: int
    buchholz: float = Field(description="The opponents' points, added up once per game.")
    sonnebornBerger: float = Field(
        description="Each game's opponent's points, times what this game scored, added up."
    )
    elo: float | None = Field(description="Maximum-likelihood Elo; null before any game.")
    eloLow: float | None = Field(description="The 95% interval's low end.")
    eloHigh: float | None = Field(description="The 95% interval's high end.")


class Cell(BaseModel):
    points: float = Field(description="The row participant's points against the column's.")
    games: int = Field(description="Games they have finished against each other.")


class SprtStep(BaseModel):
    pairs: int = Field(description="Game pairs finished.")
    llr: float = Field(description="The log-likelihood ratio after them.")


class SprtView(BaseModel):
    """The sequential test of a match, as it stands."""

    elo0: float = Field(description="H0's Elo difference.")
    elo1: float = Field(description="H1's Elo difference.")
    alpha: float
    beta: float
    lower: float = Field(description="The bound below which the test accepts H0.")
    upper: float = Field(description="The bound above which the test accepts H1.")
    llr: float = Field(description="The log-likelihood ratio now.")
    decision: Literal["H0", "H1"] | None = Field(description="Null until the test decides.")
    history: list[SprtStep] = Field(description="The ratio after each pair, in order.")


class GameResultView(BaseModel):
    points: list[float] = Field(description="By seat.")
    reason: str = Field(description="How it ended: `checkmate`, `adjudication`, `timeout`, …")


class TournamentGame(BaseModel):
    battleId: str | None = Field(description="The game's battle, once started.")
    round: int = Field(description="The round, from 1.")
    pair: int = Field(
        description="The game pair, from 0: the two games of one opening, colours swapped."
    )
    seats: list[str] = Field(description="Participant ids, first seat (white) first.")
    opening: str | None = Field(description="The opening's name; null when it has none.")
    status: Literal["pending", "running", "finished"]
    result: GameResultView | None = Field(description="Once finished.")


class Tournament(BaseModel):
    id: str
    name: str
    game: str
    format: str
    status: Status
    createdBy: str = Field(description="The creator's user id.")
    createdAt: int = Field(description="Epoch milliseconds.")
    startedAt: int | None = Field(description="Epoch milliseconds; null until started.")
    finishedAt: int | None = Field(description="Epoch milliseconds; null until it ends.")
    settings: dict[str, object] = Field(description="The create body minus participants.")
    participants: list[ParticipantView]
    progress: Progress
    standings: list[StandingRow] = Field(description="First place first.")
    crosstable: dict[str, dict[str, Cell]] = Field(description="Row's score against column.")
    los: dict[str, dict[str, float | None]] = Field(
        description="Likelihood of superiority, row over column."
    )
    pentanomial: dict[str, list[int]] = Field(
        description="Per participant: pairs scoring 0, ½, 1, 1½, 2 (its own perspective)."
    )
    sprt: SprtView | None = Field(description="A match's test; null otherwise.")
    games: list[TournamentGame] = Field(description="Every game scheduled, in order.")


class EngineRating(BaseModel):
    """One calibrated level of a built-in engine: its Elo, with a 95% interval, against the
    other levels of the same engine (Elo relative to the anchor level, at 0)."""

    engine: str = Field(description="As a participant names it: `{engine, level, searchTime}`.")
    game: GameName = Field(description="The game it plays.")
    title: str = Field(description="The engine as people read it.")
    level: int = Field(description="Strength 0–20.")
    searchTime: int = Field(description="Thinking time per move, ms.")
    elo: float = Field(description="Elo relative to the anchor level.")
    eloLow: float = Field(description="The 95% interval's low end.")
    eloHigh: float = Field(description="The 95% interval's high end.")
    anchor: bool = Field(description="True for the level the others are measured against.")


class Engines(BaseModel):
    engines: list[EngineRating]
