"""Games and challenges in lichess's JSON shapes (lichess-org/api, doc/specs/schemas).

Times are epoch milliseconds, clock settings seconds in challenges and milliseconds in
game streams, as lichess has them. Users are named as on lichess: ``id`` is the
lower-cased username, ``name`` the username.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from typing import Any

import chess

from gambit.games.battle import FORFEIT, Battle, BattleStatus, SeatKind
from gambit.games.clock import ABORTED, CORRESPONDENCE, UNTIMED, TimeControl, remaining_now
from gambit.games.clock import speed as pace_of
from gambit.services.accounts import Accounts
from gambit.services.errors import NotFound
from gambit.services.lichess_play import opponent_gone_in
from gambit.services.referee import ABANDONED, DRAW_AGREED
from gambit.services.stats import PROVISIONAL_DEVIATION, Stats
from gambit.store.challenges import StoredChallenge

COLOURS = ("white", "black")  # by seat
NO_CLOCK_MS = 2**31 - 1  # lichess's remaining time in a game without a clock
VARIANTS = {
    "standard": {"key": "standard", "name": "Standard", "short": "Std"},
    "fromPosition": {"key": "fromPosition", "name": "From Position", "short": "FEN"},
}
STATUS_IDS = {
    "created": 10,
    "started": 20,
    "aborted": 25,
    "mate": 30,
    "resign": 31,
    "stalemate": 32,
    "timeout": 33,
    "draw": 34,
    "outoftime": 35,
    "unknownFinish": 38,
}
_STATUS_OF_REASON = {
    "checkmate": "mate",
    FORFEIT: "resign",
    "stalemate": "stalemate",
    "timeout": "outoftime",  # gambit's turn limit or clock ran out
    ABANDONED: "timeout",  # lichess: the opponent left the game
    ABORTED: "aborted",
    "expired": "aborted",
    DRAW_AGREED: "draw",
    "insufficient material": "draw",
    "seventy-five-move rule": "draw",
    "fivefold repetition": "draw",
}
DECLINE_TEXTS = {
    "generic": "I'm not accepting challenges at the moment.",
    "later": "This is not the right time for me, please ask again later.",
    "tooFast": "This time control is too fast for me, please challenge again with a slower game.",
    "tooSlow": "This time control is too slow for me, please challenge again with a faster game.",
    "timeControl": "I'm not accepting challenges with this time control.",
    "rated": "Please send me a rated challenge instead.",
    "casual": "Please send me a casual challenge instead.",
    "standard": "I'm not accepting variant challenges right now.",
    "variant": "I'm not willing to play this variant right now.",
    "noBot": "I'm not accepting challenges from bots.",
    "onlyBot": "I'm only accepting challenges from bots.",
}


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def lichess_clock(battle: Battle, now: int) -> dict[str, int] | None:
    """``wtime``, ``btime``, ``winc``, ``binc`` in ms for a game with a clock, else None."""
    control = TimeControl.of(battle.options)
    if battle.clock is None or control is None:
        return None
    white, black = remaining_now(battle.clock, now)
    increment = control.increment * 1000 if control.days is None else 0
    return {"wtime": white, "btime": black, "winc": increment, "binc": increment}


def lichess_speed(pace: str) -> str:
    """lichess's name of a gambit speed: a game without a clock is correspondence."""
    return CORRESPONDENCE if pace == UNTIMED else pace


def speed(options: Mapping[str, Any]) -> str:
    """lichess's speed of a battle with ``options``."""
    return lichess_speed(pace_of(options))


def perf_name(key: str) -> str:
    return "UltraBullet" if key == "ultraBullet" else key.capitalize()


def variant(battle: Battle) -> dict[str, str]:
    return VARIANTS["fromPosition" if battle.options.get("fen") else "standard"]


def status_name(battle: Battle) -> str:
    if battle.status is BattleStatus.WAITING:
        return "created"
    if battle.outcome is None:
        return "started"
    return _STATUS_OF_REASON.get(battle.outcome.reason, "unknownFinish")


def winner(battle: Battle) -> str | None:
    if battle.outcome is None or len(battle.outcome.winners) != 1:
        return None
    return COLOURS[battle.outcome.winners[0]]


def uci_moves(battle: Battle) -> list[str]:
    return [
        record.action["move"] for record in battle.actions if record.action.get("type") == "move"
    ]


def game_state(battle: Battle, now: int) -> dict[str, Any]:
    clock = lichess_clock(battle, now) or {
        "wtime": NO_CLOCK_MS,
        "btime": NO_CLOCK_MS,
        "winc": 0,
        "binc": 0,
    }
    state: dict[str, Any] = {"type": "gameState", "moves": " ".join(uci_moves(battle)), **clock}
    state["status"] = status_name(battle)
    if (won := winner(battle)) is not None:
        state["winner"] = won
    for seat, letter in enumerate("wb"):
        if seat in battle.table.draw:
            state[f"{letter}draw"] = True
        if seat in battle.table.takeback:
            state[f"{letter}takeback"] = True
    return state


def opponent_gone(battle: Battle, seat: int, claim_after_ms: int, now: int) -> dict[str, Any]:
    seconds = opponent_gone_in(battle, seat, claim_after_ms, now)
    if seconds is None:
        return {"type": "opponentGone", "gone": False}
    return {"type": "opponentGone", "gone": True, "claimWinInSeconds": seconds}


class Players:
    """The players' names and ratings, read once per user per request."""

    def __init__(self, accounts: Accounts, stats: Stats) -> None:
        self._accounts = accounts
        self._stats = stats
        self._known: dict[tuple[str, str], dict[str, Any]] = {}

    async def user(self, user_id: str, pace: str) -> dict[str, Any]:
        """``{id, name, title, rating, provisional?}``, with the chess rating at ``pace``
        (one of gambit's speeds)."""
        if (user_id, pace) not in self._known:
            name, title = "Anonymous", None  # the account was deleted since
            with contextlib.suppress(NotFound):
                user = await self._accounts.user(user_id)
                name, title = user.username, user.title
            rating = await self._stats.rating(user_id, "chess", pace)
            player: dict[str, Any] = {
                "id": name.lower(),
                "name": name,
                "title": title,
                "rating": round(rating.rating),
            }
            if rating.deviation > PROVISIONAL_DEVIATION:
                player["provisional"] = True
            self._known[user_id, pace] = player
        return self._known[user_id, pace]

    async def seat(self, battle: Battle, seat: int) -> dict[str, Any]:
        """A side of ``battle`` as gameFull has it: a user, or ``{aiLevel}``."""
        taken = battle.seats[seat]
        if taken.kind is SeatKind.AI or taken.user_id is None:
            return {"aiLevel": ai_level(battle, seat)}
        return await self.user(taken.user_id, pace_of(battle.options))

    async def game_full(self, battle: Battle, now: int) -> dict[str, Any]:
        key = speed(battle.options)
        full: dict[str, Any] = {
            "type": "gameFull",
            "id": battle.id,
            "variant": variant(battle),
            "speed": key,
            "perf": {"name": perf_name(key)},
            "rated": bool(battle.options.get("rated")),
            "createdAt": battle.created_at,
            "white": await self.seat(battle, 0),
            "black": await self.seat(battle, 1),
            "initialFen": battle.options.get("fen") or "startpos",
            "clock": _clock_ms(battle.options),
            "state": game_state(battle, now),
        }
        if "days" in battle.options:
            full["daysPerTurn"] = battle.options["days"]
        return full

    async def game_info(self, battle: Battle, user_id: str, now: int) -> dict[str, Any]:
        """lichess's GameEventInfo: the game as ``user_id`` plays it."""
        seat = next(i for i, s in enumerate(battle.seats) if s.user_id == user_id)
        other = 1 - seat
        key = speed(battle.options)
        moves = uci_moves(battle)
        taken = battle.seats[other]
        if taken.kind is SeatKind.AI or taken.user_id is None:
            level = ai_level(battle, other)
            opponent: dict[str, Any] = {
                "id": None,
                "username": f"Stockfish level {level}",
                "ai": level,
            }
        else:
            user = await self.user(taken.user_id, pace_of(battle.options))
            opponent = {"id": user["id"], "username": user["name"], "rating": user["rating"]}
        name = status_name(battle)
        info: dict[str, Any] = {
            "fullId": battle.id,
            "gameId": battle.id,
            "id": battle.id,
            "fen": battle.state.fen(),
            "color": COLOURS[seat],
            "lastMove": moves[-1] if moves else "",
            "source": source(battle),
            "status": {"id": STATUS_IDS[name], "name": name},
            "variant": {k: v for k, v in variant(battle).items() if k != "short"},
            "speed": key,
            "perf": key,
            "rated": bool(battle.options.get("rated")),
            "hasMoved": any(r.seat == seat for r in battle.actions),
            "opponent": opponent,
            "isMyTurn": battle.status is BattleStatus.ACTIVE and battle.to_move() == seat,
            "rating": (await self.user(user_id, pace_of(battle.options)))["rating"],
            "compat": {"bot": True, "board": True},
        }
        clock = lichess_clock(battle, now)
        if clock is not None:
            info["secondsLeft"] = clock["wtime" if seat == 0 else "btime"] // 1000
        if (won := winner(battle)) is not None:
            info["winner"] = won
        return info

    async def challenge(
        self, challenge: StoredChallenge, base_url: str, direction: str | None = None
    ) -> dict[str, Any]:
        """lichess's ChallengeJson (with ``direction`` when listed for one side)."""
        options: dict[str, Any] = {}
        if challenge.clock_limit is not None:
            options["clock"] = {
                "limit": challenge.clock_limit,
                "increment": challenge.clock_increment,
            }
        key, pace = speed(options), pace_of(options)
        shown: dict[str, Any] = {
            "id": challenge.id,
            "url": base_url + challenge.id,
            "status": challenge.status,
            "challenger": await self.user(challenge.challenger_id, pace)
            if challenge.engine_level is None
            else engine_user(challenge.engine_level),
            "destUser": await self.user(challenge.dest_user_id, pace),
            "variant": VARIANTS[challenge.variant],
            "rated": challenge.rated,
            "speed": key,
            "timeControl": _time_control(challenge),
            "color": challenge.color,
            "finalColor": challenge.final_color,
            "perf": {"icon": "", "name": perf_name(key)},
        }
        if direction is not None:
            shown["direction"] = direction
        if challenge.fen:
            shown["initialFen"] = challenge.fen
        if challenge.decline_reason is not None:
            shown["declineReason"] = DECLINE_TEXTS[challenge.decline_reason]
            shown["declineReasonKey"] = challenge.decline_reason.lower()
        return shown

    async def game_json(self, battle: Battle) -> dict[str, Any]:
        """lichess's GameJson, as /game/export and /api/games/user give it."""
        key = speed(battle.options)
        players: dict[str, dict[str, Any]] = {}
        for seat, colour in enumerate(COLOURS):
            taken = battle.seats[seat]
            if taken.kind is SeatKind.AI or taken.user_id is None:
                players[colour] = {"aiLevel": ai_level(battle, seat)}
            else:
                user = await self.user(taken.user_id, pace_of(battle.options))
                players[colour] = {
                    "user": {"id": user["id"], "name": user["name"]},
                    "rating": user["rating"],
                }
        game: dict[str, Any] = {
            "id": battle.id,
            "rated": bool(battle.options.get("rated")),
            "variant": variant(battle)["key"],
            "speed": key,
            "perf": key,
            "createdAt": battle.created_at,
            "lastMoveAt": battle.actions[-1].at if battle.actions else battle.created_at,
            "status": status_name(battle),
            "source": source(battle),
            "players": players,
            "moves": " ".join(_san_moves(battle)),
        }
        if battle.options.get("fen"):
            game["initialFen"] = battle.options["fen"]
        if (won := winner(battle)) is not None:
            game["winner"] = won
        if clock := battle.options.get("clock"):
            game["clock"] = {
                "initial": clock["limit"],
                "increment": clock["increment"],
                "totalTime": clock["limit"] + 40 * clock["increment"],
            }
        if "days" in battle.options:
            game["daysPerTurn"] = battle.options["days"]
        return game


def engine_user(level: int) -> dict[str, Any]:
    """gambit's engine at lichess's ``level``, shown as the user who challenges."""
    return {"id": f"stockfish-level-{level}", "name": f"Stockfish level {level}", "title": "BOT"}


def ai_level(battle: Battle, seat: int) -> int:
    """lichess's level of an AI seat: as challenged, else gambit's 0-20 scaled to 1-8."""
    if "aiLevel" in battle.options:
        return int(battle.options["aiLevel"])
    return 1 + (battle.seats[seat].level or 0) * 7 // 20


def source(battle: Battle) -> str:
    return "ai" if any(seat.kind is SeatKind.AI for seat in battle.seats) else "friend"


def _clock_ms(options: dict[str, Any]) -> dict[str, int] | None:
    clock = options.get("clock")
    if not clock:
        return None
    return {"initial": clock["limit"] * 1000, "increment": clock["increment"] * 1000}


def _time_control(challenge: StoredChallenge) -> dict[str, Any]:
    if challenge.clock_limit is not None and challenge.clock_increment is not None:
        minutes = {15: "¼", 30: "½", 45: "¾", 90: "1.5"}.get(
            challenge.clock_limit, str(challenge.clock_limit // 60)
        )
        return {
            "type": "clock",
            "limit": challenge.clock_limit,
            "increment": challenge.clock_increment,
            "show": f"{minutes}+{challenge.clock_increment}",
        }
    if challenge.days is not None:
        return {"type": "correspondence", "daysPerTurn": challenge.days}
    return {"type": "unlimited"}


def _san_moves(battle: Battle) -> list[str]:
    board = chess.Board(battle.options["fen"]) if battle.options.get("fen") else chess.Board()
    sans = []
    for move in uci_moves(battle):
        parsed = chess.Move.from_uci(move)
        sans.append(board.san(parsed))
        board.push(parsed)
    return sans
