"""Tournaments and matches: a runner that plays scheduled games as ordinary battles.

A tournament is created open (participants may join), then started: the runner
schedules its games (every game at once for round-robins, gauntlets and matches; Swiss
round by round), starts up to ``concurrency`` of them as battles through the referee,
learns from the bus (or, every `POLL_SECONDS`, from the store) that one ended, records
its result, and starts the next. Its whole state is in the database (`TournamentStore`):
any process may advance any tournament, and one restarted carries on where it was.

Several processes share the work safely: each game is claimed with a guarded write
before its battle is created, so it starts once; a result is recorded once; a Swiss
round is scheduled once (the tournament's version guards it).

Choices: a game aborted because a side never made its first move counts as a loss for
that side (a participant that does not show up loses, as one that disconnects loses on
time). Pause stops starting games; start resumes. Cancel forgets the games not started
and lets the running ones finish as ordinary battles; their results are still recorded.
A match stops as soon as its SPRT decides: games not started are forgotten, games in
play finish and count in the standings (not in the SPRT, which stopped at the decision).

What differs by game is the ruleset's to declare (`gambit.games.base.Ruleset`): where each
pair's games start (`contest_starts`: chess's openings, duel's mirrored seeded starts),
whether games may be adjudicated on the engines' scores (`adjudication_by_score`), and which
battle option takes the tournament's round limit (`round_limit_option`).

Adjudication by score (chess): the tournament's resign and draw rules
(`gambit.contests.adjudication`) go into each game's battle options, and after every change
of a battle that has them (checked first among the referee's after-change hooks, so before
the next AI turn starts) the runner judges the scores the engines stored with their moves
(`ActionRecord.info`); when a rule holds, the referee ends the battle with reason
``adjudication``, and the result is recorded and rated like any other. Only moves that
carry a score count: a user's moves (bots on the lichess API) carry none, so a game where
a side is a user is never adjudicated. A game with a round limit (duel) takes ``maxRounds`` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gambit.ai.engine import DEFAULT_LEVEL, DEFAULT_SEARCH_TIME_MS
from gambit.bus import Event, EventBus
from gambit.contests import (
    Bye,
    GameResult,
    Pairing,
    Pentanomial,
    Sprt,
    crosstable,
    fit_elo,
    gauntlet,
    round_robin,
    standings,
    swiss_round,
    with_openings,
)
from gambit.contests.adjudication import ADJUDICATION, Ply, Rules, judge
from gambit.games import RULESETS, InvalidOptions
from gambit.games.base import Outcome, Start
from gambit.games.battle import ActionRecord, Battle, BattleStatus, Seat, SeatKind
from gambit.games.clock import ABORTED, CLOCK, TimeControl, speed
from gambit.services.accounts import Accounts
from gambit.services.ai_turns import AUTO_AI
from gambit.services.errors import Conflict, Forbidden, InvalidRequest, NotFound, ServiceError
from gambit.services.referee import Referee, now_ms
from gambit.services.replays import Replays
from gambit.services.repository import BattleRepository
from gambit.services.stats import Stats
from gambit.store import StorageUnavailable
from gambit.store.tournaments import (
    FINISHED,
    PENDING,
    RUNNING,
    StoredGame,
    StoredParticipant,
    StoredTournament,
    TournamentStore,
)

log = logging.getLogger(__name__)

OPEN, STARTED, PAUSED, DONE, CANCELED = "open", "running", "paused", "finished", "canceled"
STATUSES = (OPEN, STARTED, PAUSED, DONE, CANCELED)
ROUND_ROBIN, DOUBLE, GAUNTLET, SWISS, MATCH = (
    "round-robin",
    "double-round-robin",
    "gauntlet",
    "swiss",
    "match",
)
FORMATS = (ROUND_ROBIN, DOUBLE, GAUNTLET, SWISS, MATCH)
ROUND_LIMIT = "maxRounds"
"""The adjudication setting that caps a game's rounds, for games that have a round limit."""
POLL_SECONDS = 1.0
"""How often the runner looks at the store for what the bus did not tell it."""
PRIOR_DRAWS = 1.0
"""Virtual draws added to every pair that met before fitting Elo (BayesElo's draw
prior), so that a participant that won or lost everything still gets a finite estimate."""
UPDATE = "tournament:update"


def tournament_topic(tournament_id: str) -> str:
    return f"tournament:{tournament_id}"


@dataclass(frozen=True, slots=True)
class Entry:
    """A participant asked for: a user, or a built-in engine by spec."""

    user_id: str | None = None
    engine: str | None = None
    level: int | None = None
    search_time: int | None = None


class Tournaments:
    """The use cases (create, join, start, pause, cancel, read) and the runner."""

    def __init__(
        self,
        store: TournamentStore,
        repository: BattleRepository,
        referee: Referee,
        accounts: Accounts,
        stats: Stats,
        replays: Replays,
        bus: EventBus,
        *,
        now: Callable[[], int] = now_ms,
    ) -> None:
        self._store = store
        self._repository = repository
        self._referee = referee
        self._accounts = accounts
        self._stats = stats
        self._replays = replays
        self._bus = bus
        self._now = now
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        bus.add_listener(self._heard)
        referee.after_change(self._adjudicate, first=True)

    # -- the use cases ----------------------------------------------------------

    async def create(
        self, creator: str, settings: Mapping[str, Any], entries: Sequence[Entry]
    ) -> StoredTournament:
        """A new open tournament; ``settings`` is the create body minus participants."""
        game, form = settings["game"], settings["format"]
        _check_settings(game, form, settings)
        participants: list[StoredParticipant] = []
        for entry in entries:
            participants.append(await self._participant(game, entry, len(participants)))
        users = [p.user_id for p in participants if p.user_id]
        if len(set(users)) != len(users):
            raise InvalidRequest("a user can take part only once")
        if form == MATCH and len(participants) > 2:
            raise InvalidRequest("a match is between exactly two participants")
        tournament = StoredTournament(
            id=str(uuid.uuid4()),
            name=settings["name"],
            game=game,
            format=form,
            status=OPEN,
            settings=dict(settings),
            created_by=creator,
            created_at=self._now(),
            participants=participants,
        )
        await self._store.add(tournament)
        return tournament

    async def get(self, tournament_id: str) -> StoredTournament:
        found = await self._store.get(tournament_id)
        if found is None:
            raise NotFound(f"no tournament with id {tournament_id}")
        return found

    async def page(
        self, status: str | None, limit: int, offset: int
    ) -> tuple[list[StoredTournament], int | None]:
        ids = await self._store.page(status, limit + 1, offset)
        found = [await self.get(tournament_id) for tournament_id in ids[:limit]]
        return found, (offset + limit if len(ids) > limit else None)

    async def join(self, tournament_id: str, user_id: str) -> StoredTournament:
        tournament = await self.get(tournament_id)
        if tournament.status != OPEN:
            raise Conflict("the tournament is no longer open to join")
        if any(p.user_id == user_id for p in tournament.participants):
            raise Conflict("you have already joined this tournament")
        if tournament.format == MATCH and len(tournament.participants) >= 2:
            raise Conflict("the match has its two participants")
        participant = await self._participant(
            tournament.game, Entry(user_id=user_id), len(tournament.participants)
        )
        if not await self._store.join(tournament_id, participant, OPEN):
            raise Conflict("the tournament is no longer open to join")
        return await self._changed(tournament_id)

    async def start(self, tournament_id: str, caller: str) -> StoredTournament:
        """Start an open tournament (its games are scheduled), or resume a paused one."""
        tournament = await self._own(tournament_id, caller)
        if tournament.status == PAUSED:
            return await self._move(tournament, (PAUSED,), STARTED)
        if tournament.status != OPEN:
            raise Conflict(f"a {tournament.status} tournament cannot be started")
        count = len(tournament.participants)
        if count < 2 or (tournament.format == MATCH and count != 2):
            wanted = "exactly 2" if tournament.format == MATCH else "at least 2"
            raise Conflict(f"the tournament needs {wanted} participants, it has {count}")
        if not await self._store.set_status(
            tournament_id, (OPEN,), STARTED, started_at=self._now()
        ):
            raise Conflict("the tournament has already started")
        # The runner may plan it too: scheduling is guarded by the tournament's version.
        await self._plan(await self.get(tournament_id))
        return await self._changed(tournament_id)

    async def pause(self, tournament_id: str, caller: str) -> StoredTournament:
        return await self._move(await self._own(tournament_id, caller), (STARTED,), PAUSED)

    async def cancel(self, tournament_id: str, caller: str) -> StoredTournament:
        tournament = await self._own(tournament_id, caller)
        if not await self._store.set_status(
            tournament_id, (OPEN, STARTED, PAUSED), CANCELED, finished_at=self._now()
        ):
            raise Conflict(f"a {tournament.status} tournament cannot be canceled")
        await self._store.drop_pending(tournament_id)
        return await self._changed(tournament_id)

    async def pgn(self, tournament: StoredTournament) -> str:
        """Every finished game of chess, one PGN after another."""
        records: list[str] = []
        for game in tournament.games:
            if game.status != FINISHED or game.battle_id is None:
                continue
            with contextlib.suppress(NotFound):
                battle = await self._repository.get(game.battle_id)
                record = await self._replays.pgn(
                    battle, {"Event": tournament.name, "Round": f"{game.round}.{game.pair + 1}"}
                )
                if record:
                    records.append(record.strip())
        return "\n\n".join(records) + "\n" if records else ""

    # -- the runner -------------------------------------------------------------

    def start_runner(self) -> None:
        self._task = asyncio.create_task(self._run(), name="tournament-runner")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def advance(self, tournament_id: str) -> None:
        """Record what ended, schedule what is due, start games up to the concurrency,
        and finish the tournament when nothing is left; tell watchers if anything changed."""
        tournament = await self.get(tournament_id)
        changed = await self._record(tournament)
        if changed:
            tournament = await self.get(tournament_id)
        if tournament.status == STARTED:
            changed |= await self._plan(tournament)
            tournament = await self.get(tournament_id)
            changed |= await self._start_games(tournament)
        if changed:
            await self._publish(await self.get(tournament_id))

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()
            try:
                active = await self._store.active()
            except StorageUnavailable:
                continue
            for tournament_id in active:
                try:
                    await self.advance(tournament_id)
                except (ServiceError, StorageUnavailable) as exc:
                    log.info("tournament %s waits: %s", tournament_id, exc)
                except Exception:
                    log.exception("tournament %s could not advance", tournament_id)

    async def _adjudicate(self, battle: Battle) -> None:
        """After a change of a battle: end it if its adjudication rules say so (only
        after a move that carries a score; decided again on the battle as stored)."""
        rules = Rules.of(battle.options.get(ADJUDICATION))
        if (
            rules is None
            or battle.status is not BattleStatus.ACTIVE
            or not battle.actions
            or _score_of(battle.actions[-1]) is None
            or judge(rules, plies(battle)) is None
        ):
            return
        try:
            await self._referee.adjudicate(battle.id, lambda current: adjudicated(rules, current))
        except (ServiceError, StorageUnavailable) as exc:
            # The next move is judged again; the rules look at its scores too.
            log.info("battle %s not adjudicated now: %s", battle.id, exc)

    def _heard(self, topic: str, event: Event) -> None:
        if event.name == "game:end":
            self._wake.set()

    async def _record(self, tournament: StoredTournament) -> bool:
        """Store the results of the games whose battles have ended."""
        changed = False
        for game in tournament.games:
            if game.status != RUNNING or game.battle_id is None:
                continue
            try:
                battle = await self._repository.get(game.battle_id)
            except NotFound:
                # Claimed, then the process stopped before making the battle: make it now.
                await self._create_battle(tournament, game, game.battle_id)
                continue
            if battle.status is BattleStatus.FINISHED and battle.outcome is not None:
                score = _score(battle)
                changed |= await self._store.finish_game(
                    tournament.id, game.number, score, battle.outcome.reason, self._now()
                )
        return changed

    async def _plan(self, tournament: StoredTournament) -> bool:
        """A match decided, games or a Swiss round to schedule, or everything played:
        act on it."""
        games = tournament.games
        sprt = _sprt_report(tournament)
        if sprt and sprt["decision"] and any(g.status == PENDING for g in games):
            await self._store.drop_pending(tournament.id)
            return True
        if any(g.status in (PENDING, RUNNING) for g in games):
            return False
        if _schedule_due(tournament):
            return await self._schedule(tournament)
        return await self._store.set_status(
            tournament.id, (STARTED,), DONE, finished_at=self._now()
        )

    async def _schedule(self, tournament: StoredTournament) -> bool:
        """Schedule the games: all of them, or a Swiss tournament's next round."""
        ids = [p.id for p in tournament.participants]
        byes = list(tournament.byes)
        per_pairing = max(1, tournament.settings["gamesPerPairing"] // 2)
        rounds: list[tuple[int, list[Pairing]]]
        if tournament.format in (ROUND_ROBIN, DOUBLE):
            schedule = round_robin(ids, double=tournament.format == DOUBLE)
            rounds = [(r.number, list(r.pairings)) for r in schedule]
        elif tournament.format == GAUNTLET:
            rounds = [(k + 1, [p]) for k, p in enumerate(gauntlet(ids[0], ids[1:]))]
        elif tournament.format == MATCH:
            rounds = [(1, [Pairing(ids[0], ids[1])])]
        else:
            results, given = _results(tournament)
            next_round = swiss_round(ids, results, given, number=_rounds_paired(tournament) + 1)
            rounds = [(next_round.number, list(next_round.pairings))]
            if next_round.bye is not None:
                byes.append([next_round.bye, next_round.number])
        number = max((g.number for g in tournament.games), default=0)
        first = pair = max((g.pair for g in tournament.games), default=-1) + 1
        count = sum(len(pairings) for _, pairings in rounds) * per_pairing
        starts = _starts(tournament, range(first, first + count))  # by pair number
        games: list[StoredGame] = []
        for round_number, pairings in rounds:
            for pairing in pairings:
                chosen = starts[pair - first : pair - first + per_pairing]
                for scheduled in with_openings([pairing], chosen, first_pair=pair):
                    number += 1
                    games.append(
                        StoredGame(
                            number=number,
                            round=round_number,
                            pair=scheduled.pair,
                            white=scheduled.white,
                            black=scheduled.black,
                            opening=scheduled.opening.name,
                            start=scheduled.opening.options,
                        )
                    )
                pair += per_pairing
        return await self._store.schedule(tournament.id, tournament.version, games, byes)

    async def _start_games(self, tournament: StoredTournament) -> bool:
        """Claim and start pending games, in order, while fewer than ``concurrency`` run."""
        concurrency = tournament.settings["concurrency"]
        version = tournament.version
        started = False
        for game in tournament.games:
            if game.status != PENDING:
                continue
            battle_id = str(uuid.uuid4())
            if not await self._store.claim(
                tournament.id, version, game.number, battle_id, concurrency
            ):
                break  # full, or another process got there first: it goes on from here
            version += 1
            started = True
            await self._create_battle(tournament, game, battle_id)
        return started

    async def _create_battle(
        self, tournament: StoredTournament, game: StoredGame, battle_id: str
    ) -> None:
        by_id = {p.id: p for p in tournament.participants}
        options: dict[str, Any] = {AUTO_AI: True, **game.start}
        settings = tournament.settings
        if settings.get("timeControl"):
            options[CLOCK] = dict(settings["timeControl"])
        ruleset = RULESETS[tournament.game]
        adjudication = settings.get("adjudication") or {}
        limit = ruleset.round_limit_option
        if limit is not None and adjudication.get(ROUND_LIMIT):
            options[limit] = adjudication[ROUND_LIMIT]
        rules = Rules.of(adjudication)
        if ruleset.adjudication_by_score and rules is not None:
            options[ADJUDICATION] = rules.to_json()  # read back by `_adjudicate`
        pace = speed(options)
        seats = [
            await self._seat(tournament.game, by_id[pid], pace) for pid in (game.white, game.black)
        ]
        await self._referee.create(tournament.game, seats, options, battle_id=battle_id)

    async def _seat(self, game: str, participant: StoredParticipant, pace: str) -> Seat:
        if participant.user_id is not None:
            rating = await self._stats.rating(participant.user_id, game, pace)
            return Seat.of_user(participant.user_id, participant.name, rating.rating)
        return Seat(
            f"ai-player-{uuid.uuid4()}",
            SeatKind.AI,
            level=participant.level,
            search_time=participant.search_time,
            name=participant.name,
        )

    # -- helpers ----------------------------------------------------------------

    async def _participant(self, game: str, entry: Entry, position: int) -> StoredParticipant:
        pid = f"p{position + 1}"
        if entry.user_id is not None:
            try:
                user = await self._accounts.user(entry.user_id)
            except NotFound:
                raise InvalidRequest(f"no user with id {entry.user_id}") from None
            return StoredParticipant(pid, position, user.username, user_id=user.id)
        ruleset = RULESETS[game]
        if entry.engine != ruleset.engine:
            raise InvalidRequest(
                f"{game} is played by the engine {ruleset.engine!r}, not {entry.engine!r}"
            )
        level = DEFAULT_LEVEL if entry.level is None else entry.level
        search_time = DEFAULT_SEARCH_TIME_MS if entry.search_time is None else entry.search_time
        name = f"{ruleset.engine_title} level {level}"
        return StoredParticipant(
            pid, position, name, engine=ruleset.engine, level=level, search_time=search_time
        )

    async def _own(self, tournament_id: str, caller: str) -> StoredTournament:
        tournament = await self.get(tournament_id)
        if tournament.created_by != caller:
            raise Forbidden("only the tournament's creator may do this")
        return tournament

    async def _move(
        self, tournament: StoredTournament, allowed: Sequence[str], status: str, **times: int
    ) -> StoredTournament:
        if not await self._store.set_status(tournament.id, allowed, status, **times):
            raise Conflict(f"a {tournament.status} tournament cannot become {status}")
        return await self._changed(tournament.id)

    async def _changed(self, tournament_id: str) -> StoredTournament:
        """The tournament after a change: watchers are told, the runner woken."""
        tournament = await self.get(tournament_id)
        await self._publish(tournament)
        self._wake.set()
        return tournament

    async def _publish(self, tournament: StoredTournament) -> None:
        data = summary(tournament) | {"standings": report(tournament)["standings"]}
        await self._bus.publish(tournament_topic(tournament.id), Event(UPDATE, data))


# -- settings ------------------------------------------------------------------


def _check_settings(game: str, form: str, settings: Mapping[str, Any]) -> None:
    """Refuse settings that cannot run, saying why in words for a person."""
    ruleset = RULESETS.get(game)
    if ruleset is None:
        raise InvalidRequest(f"unknown game {game!r}: {' or '.join(RULESETS)}")
    if form not in FORMATS:
        raise InvalidRequest(f"unknown format {form!r}: one of {', '.join(FORMATS)}")
    per_pairing = settings["gamesPerPairing"]
    if per_pairing < 2 or per_pairing % 2:
        raise InvalidRequest("gamesPerPairing must be even: each opening is played twice")
    if form == SWISS and not settings.get("rounds"):
        raise InvalidRequest("a Swiss tournament needs a number of rounds")
    if (form == MATCH) != (settings.get("sprt") is not None):
        raise InvalidRequest("a match needs sprt settings, and only a match takes them")
    if settings.get("sprt"):
        sprt = settings["sprt"]
        try:
            Sprt(sprt["elo0"], sprt["elo1"], sprt["alpha"], sprt["beta"])
        except ValueError as exc:
            raise InvalidRequest(f"sprt: {exc}") from None
    if settings.get("timeControl"):
        try:
            TimeControl.of({CLOCK: settings["timeControl"]})
        except InvalidOptions as exc:
            raise InvalidRequest(f"timeControl: {exc}") from None
    adjudication = settings.get("adjudication") or {}
    scoring = adjudication.get("resign") or adjudication.get("draw")
    if scoring and not ruleset.adjudication_by_score:
        scored = " and ".join(name for name, r in RULESETS.items() if r.adjudication_by_score)
        instead = f"; {game} has {ROUND_LIMIT}" if ruleset.round_limit_option else ""
        raise InvalidRequest(f"adjudication: resign and draw are {scored} rules{instead}")
    try:
        ruleset.contest_starts(settings.get("openings"), range(0), 0)  # reads the openings
    except InvalidOptions as exc:
        raise InvalidRequest(f"openings: {exc}") from None


def _starts(tournament: StoredTournament, pairs: range) -> list[Start]:
    """Where the pairs numbered ``pairs`` start, as the game's rules choose."""
    ruleset = RULESETS[tournament.game]
    seed = secrets.randbits(64)
    return ruleset.contest_starts(tournament.settings.get("openings"), pairs, seed)


# -- adjudication --------------------------------------------------------------


def _score_of(record: ActionRecord) -> float | None:
    """The score the mover's engine reported with its move (its own view), if any."""
    score = record.info.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float):
        return None
    return score


def plies(battle: Battle) -> list[Ply]:
    """The battle's moves as the adjudication rules read them."""
    return [Ply(record.seat, _score_of(record)) for record in battle.actions]


def adjudicated(rules: Rules, battle: Battle) -> Outcome | None:
    """The outcome ``rules`` give ``battle`` as it stands, or None: play on."""
    verdict = judge(rules, plies(battle))
    if verdict is None:
        return None
    winners = () if verdict.winner is None else (verdict.winner,)
    return Outcome(winners=winners, reason=ADJUDICATION)


# -- results -------------------------------------------------------------------


def _score(battle: Battle) -> float:
    """The first seat's score; an aborted game is lost by the side that did not move."""
    assert battle.outcome is not None
    if battle.outcome.reason == ABORTED:
        return 0.0 if battle.ruleset.to_move(battle.state) == 0 else 1.0
    if battle.outcome.is_draw:
        return 0.5
    return 1.0 if 0 in battle.outcome.winners else 0.0


def _of(game: StoredGame, participant: str) -> float:
    """A finished game's score from ``participant``'s side."""
    return GameResult(game.white, game.black, game.score or 0.0).score_of(participant)


def _results(tournament: StoredTournament) -> tuple[list[GameResult], list[Bye]]:
    games = [
        GameResult(g.white, g.black, g.score, pair=g.pair, round=g.round)
        for g in tournament.games
        if g.status == FINISHED and g.score is not None
    ]
    return games, [Bye(str(pid), int(rnd)) for pid, rnd in tournament.byes]


def _schedule_due(tournament: StoredTournament) -> bool:
    """Nothing scheduled yet (started, not yet scheduled), or a Swiss round to pair."""
    if tournament.format == SWISS:
        return _rounds_paired(tournament) < int(tournament.settings.get("rounds", 0))
    return not tournament.games


def _rounds_paired(tournament: StoredTournament) -> int:
    rounds = [g.round for g in tournament.games] + [int(r) for _, r in tournament.byes]
    return max(rounds, default=0)


def _finite(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else round(value, 1)


def _sprt_report(tournament: StoredTournament) -> dict[str, Any] | None:
    """The match's SPRT after each pair completed, in the order they completed."""
    settings = tournament.settings.get("sprt")
    if tournament.format != MATCH or not settings:
        return None
    sprt = Sprt(settings["elo0"], settings["elo1"], settings["alpha"], settings["beta"])
    first = tournament.participants[0].id if tournament.participants else ""
    by_pair: dict[int, list[StoredGame]] = {}
    for game in tournament.games:
        if game.status == FINISHED and game.score is not None:
            by_pair.setdefault(game.pair, []).append(game)
    complete = sorted(
        (pair for pair in by_pair.values() if len(pair) == 2),
        key=lambda pair: (max(g.finished_at or 0 for g in pair), pair[0].pair),
    )

    def scores(pair: list[StoredGame]) -> tuple[float, float]:
        one, two = sorted(pair, key=lambda g: g.number)
        return _of(one, first), _of(two, first)

    steps = sprt.trace(scores(pair) for pair in complete)
    lower, upper = sprt.bounds
    return {
        **settings,
        "lower": round(lower, 3),
        "upper": round(upper, 3),
        "llr": round(steps[-1].llr, 3) if steps else 0.0,
        "decision": steps[-1].decision if steps else None,
        "history": [{"pairs": s.pairs, "llr": round(s.llr, 3)} for s in steps],
    }


def summary(tournament: StoredTournament) -> dict[str, Any]:
    """The contract's TournamentSummary."""
    progress = _progress(tournament)
    return {
        "id": tournament.id,
        "name": tournament.name,
        "game": tournament.game,
        "format": tournament.format,
        "status": tournament.status,
        "createdBy": tournament.created_by,
        "createdAt": tournament.created_at,
        "participants": len(tournament.participants),
        "played": progress["played"],
        "total": progress["total"],
    }


def _progress(tournament: StoredTournament) -> dict[str, Any]:
    games = tournament.games
    played = sum(1 for g in games if g.status == FINISHED)
    running = sum(1 for g in games if g.status == RUNNING)
    n = len(tournament.participants)
    per_pairing = tournament.settings["gamesPerPairing"]
    total: int | None
    if tournament.status in (DONE, CANCELED):
        total = len(games)
    elif tournament.format == ROUND_ROBIN:
        total = n * (n - 1) // 2 * per_pairing
    elif tournament.format == DOUBLE:
        total = n * (n - 1) * per_pairing
    elif tournament.format == GAUNTLET:
        total = max(n - 1, 0) * per_pairing
    elif tournament.format == SWISS and _rounds_paired(tournament) >= tournament.settings.get(
        "rounds", 0
    ):
        total = len(games)
    else:
        total = None  # Swiss before its last round is paired; a match (its cap is a cap)
    return {"played": played, "running": running, "total": total}


def report(tournament: StoredTournament) -> dict[str, Any]:
    """The contract's Tournament: settings, participants, progress and every statistic."""
    ids = [p.id for p in tournament.participants]
    results, byes = _results(tournament)
    rows = standings(ids, results, byes)
    elo: dict[str, tuple[float | None, float | None, float | None]] = dict.fromkeys(
        ids, (None, None, None)
    )
    los: dict[str, dict[str, float | None]] = {}
    if results and len(ids) >= 2:
        engines = [p.id for p in tournament.participants if p.engine]
        fit = fit_elo(ids, results, anchor=engines[0] if engines else None, prior_draws=PRIOR_DRAWS)
        played = {r.participant: r.games for r in rows}
        for pid in ids:
            e = fit[pid]
            if played[pid] and e.status == "fitted":
                elo[pid] = (_finite(e.elo), _finite(e.low), _finite(e.high))
        los = {
            a: {b: _finite_probability(v) for b, v in row.items()}
            for a, row in fit.los_matrix().items()
        }
    table = crosstable(ids, results)
    return {
        "id": tournament.id,
        "name": tournament.name,
        "game": tournament.game,
        "format": tournament.format,
        "status": tournament.status,
        "createdBy": tournament.created_by,
        "createdAt": tournament.created_at,
        "startedAt": tournament.started_at,
        "finishedAt": tournament.finished_at,
        "settings": tournament.settings,
        "participants": [_participant_view(p) for p in tournament.participants],
        "progress": _progress(tournament),
        "standings": [
            {
                "rank": r.rank,
                "participantId": r.participant,
                "points": r.points,
                "games": r.games,
                "wins": r.wins,
                "draws": r.draws,
                "losses": r.losses,
                "buchholz": r.buchholz,
                "sonnebornBerger": r.sonneborn_berger,
                "elo": elo[r.participant][0],
                "eloLow": elo[r.participant][1],
                "eloHigh": elo[r.participant][2],
            }
            for r in rows
        ],
        "crosstable": {
            a: {b: {"points": c.points, "games": c.games} for b, c in row.items() if c.games}
            for a, row in table.cells.items()
        },
        "los": los,
        "pentanomial": {pid: list(Pentanomial.from_games(results, pid).by_points()) for pid in ids},
        "sprt": _sprt_report(tournament),
        "games": [_game_view(g) for g in tournament.games],
    }


def _finite_probability(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def _participant_view(p: StoredParticipant) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "kind": "user" if p.user_id else "engine",
        "userId": p.user_id,
        "engine": p.engine,
        "level": p.level,
        "searchTime": p.search_time,
    }


def _game_view(g: StoredGame) -> dict[str, Any]:
    result = None
    if g.status == FINISHED and g.score is not None:
        result = {"points": [g.score, 1.0 - g.score], "reason": g.reason or ""}
    return {
        "battleId": g.battle_id,
        "round": g.round,
        "pair": g.pair,
        "seats": [g.white, g.black],
        "opening": g.opening,
        "status": g.status,
        "result": result,
    }
