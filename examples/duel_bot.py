"""A complete duel bot for gambit, over its WebSocket, signed in with a personal API token.

    python examples/duel_bot.py --token gbt_…            # a duel against gambit's AI
    python examples/duel_bot.py --token gbt_… --open     # open one, wait for a player
    python examples/duel_bot.py --token gbt_… --join ID  # take a seat in battle ID
    (--server http://localhost:8080 by default; the token may also be $GAMBIT_TOKEN)

The protocol it speaks is described in docs/duel-bots.md. In short: connect to
``/api/v1/ws`` with the token, create or join a battle over REST, then on every
``game:update`` whose ``currentTurn`` is the bot, fetch ``legalActions`` with
``GET /api/v1/battles/{id}``, pick one, and send it back unchanged as ``game:action``.
If the connection drops, reconnect and send ``reconnect {sessionId, lastSeq}``: the
server replays what was missed. The bot stops at ``game:end`` and prints the result.

Needs only what gambit itself depends on: ``httpx`` and ``websockets``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

JSON = dict[str, Any]

RECONNECT_ATTEMPTS = 5  # seed 000's policy: 5 tries, 1 s apart
RECONNECT_DELAY = 1.0
IDLE_SECONDS = 30.0  # this long without an event: look at the battle over REST
MAX_ERRORS_IN_A_ROW = 5  # refused actions in a row before the bot gives up
LOW_HEALTH = 40  # heal at or below this


class BotError(Exception):
    """Something the bot cannot play on from."""


# The strategy: pure functions of the state and the legal actions.


def tiles(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    """Manhattan distance between two ``{x, y}`` positions, as the rules measure it."""
    return int(abs(a["x"] - b["x"]) + abs(a["y"] - b["y"]))


def has_status(fighter: Mapping[str, Any], kind: str) -> bool:
    return any(effect["type"] == kind for effect in fighter["status"])


def choose(state: Mapping[str, Any], me: str, legal: Sequence[JSON]) -> JSON:
    """One of ``legal`` (always: every pick is an item of the list, never built by hand).

    Heal when low and not about to finish the foe; poison then attack when adjacent;
    bolt when in range 3; otherwise close in on the nearest foe, resting when short of
    the energy to strike.
    """
    players: Mapping[str, Any] = state["players"]
    mine = players[me]
    foes = {pid: p for pid, p in players.items() if pid != me and p["health"] > 0}
    rest: JSON = next((a for a in legal if a["type"] == "rest"), legal[0])
    if not foes:
        return rest
    here = mine["position"]
    target = min(foes, key=lambda pid: (tiles(here, foes[pid]["position"]), foes[pid]["health"]))
    foe = foes[target]
    there, gap = foe["position"], tiles(here, foe["position"])

    def pick(kind: str) -> JSON | None:
        return next(
            (a for a in legal if a["type"] == kind and a.get("target", target) == target), None
        )

    attack, bolt, poison, heal = pick("attack"), pick("bolt"), pick("poison"), pick("heal")
    finishing = (attack is not None and foe["health"] <= 12) or (
        bolt is not None and foe["health"] <= 8
    )
    if heal is not None and mine["health"] <= LOW_HEALTH and not finishing:
        return heal
    if poison is not None and not has_status(foe, "poisoned") and mine["energy"] >= 5:
        return poison  # 15 damage over three turns, and energy left to attack next turn
    for strike in (attack, bolt):
        if strike is not None:
            return strike
    if gap <= 3:  # in range but short of energy: gather it rather than walk about
        return rest
    closer = [a for a in legal if a["type"] == "move" and tiles(a["to"], there) < gap]
    if not closer:
        return rest
    # Into bolt range if it can be had, as cheaply (in energy: one a tile) as possible.
    return min(closer, key=lambda a: (max(tiles(a["to"], there), 3), tiles(a["to"], here)))


# The bot: the socket, the REST calls, and the turn loop.


@dataclass
class Result:
    """How the battle ended, and how the bot got there."""

    battle_id: str
    me: str
    winners: list[str]
    reason: str
    actions: int = 0
    errors: list[JSON] = field(default_factory=list)
    resumes: list[bool] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if not self.winners:
            return "draw"
        return "won" if self.me in self.winners else "lost"

    def to_json(self) -> JSON:
        return {
            "battleId": self.battle_id,
            "result": self.verdict,
            "winners": self.winners,
            "reason": self.reason,
            "actions": self.actions,
            "errors": self.errors,
            "resumes": self.resumes,
        }


class DuelBot:
    """One bot playing one duel. ``async with DuelBot(server, token) as bot: ...``"""

    def __init__(self, server: str, token: str, *, verbose: bool = False) -> None:
        self.server = server.rstrip("/")
        scheme, _, rest = self.server.partition("://")
        self.ws_url = f"{'wss' if scheme == 'https' else 'ws'}://{rest}/api/v1/ws"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.http = httpx.AsyncClient(
            base_url=self.server + "/api/v1", headers=self.headers, timeout=30
        )
        self.verbose = verbose
        self.connection: ClientConnection | None = None
        self.session_id = ""
        self.last_seq = 0  # the last event's seq: what a resume asks to be replayed after
        self.user_id = ""  # our player id in every battle we sit in
        self.actions_per_minute = 30  # the server says how many in its connect event
        self.sent: deque[float] = deque()  # when our recent actions went out
        self.battle_id = ""
        self.acted_at = -1  # the lastAction seq of the state we last acted in
        self.errors_in_a_row = 0
        self.last_error = ""  # the code of the last refusal since our last accepted action
        self.pending: deque[JSON] = deque()  # events replayed by a resume, not yet handled
        self.result: Result | None = None
        self.actions = 0
        self.errors: list[JSON] = []
        self.resumes: list[bool] = []

    async def __aenter__(self) -> DuelBot:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.connection is not None:
            await self.connection.close()
        await self.http.aclose()

    def log(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    # The socket

    async def connect(self) -> JSON:
        """A new connection, signed in by the Authorization header; its ``connect`` data."""
        self.connection = await connect(self.ws_url, additional_headers=self.headers)
        hello = json.loads(await self.connection.recv())
        if hello["event"] != "connect":
            raise BotError(f"expected connect, got {hello}")
        data: JSON = hello["data"]
        if data["userId"] is None:
            raise BotError("the server did not accept the token")
        if not self.session_id:
            self.session_id, self.last_seq = data["sessionId"], hello["seq"]
        self.user_id = str(data["userId"])
        self.actions_per_minute = int(data["limits"]["gameActionsPerMinute"])
        return data

    async def next_event(self) -> JSON | None:
        """The next event, in order, across dropped connections; None after a long quiet."""
        while True:
            if self.pending:
                event = self.pending.popleft()
            else:
                assert self.connection is not None
                try:
                    event = json.loads(await asyncio.wait_for(self.connection.recv(), IDLE_SECONDS))
                except TimeoutError:
                    return None
                except ConnectionClosed:
                    await self.resume()
                    continue
            self.last_seq = max(self.last_seq, event["seq"])
            return event

    async def resume(self) -> None:
        """Reconnect and ask for the old session: the server replays the events after
        ``last_seq``, then answers ``reconnect {resumed}``."""
        for attempt in range(1, RECONNECT_ATTEMPTS + 1):
            await asyncio.sleep(RECONNECT_DELAY)
            self.log(f"connection lost; reconnecting ({attempt}/{RECONNECT_ATTEMPTS})")
            try:
                await self.connect()
                await self.send(
                    "reconnect", {"sessionId": self.session_id, "lastSeq": self.last_seq}
                )
                assert self.connection is not None
                while (event := json.loads(await self.connection.recv()))["event"] != "reconnect":
                    self.pending.append(event)
            except (OSError, ConnectionClosed):
                if attempt == RECONNECT_ATTEMPTS:
                    raise
                continue
            if not event["data"]["resumed"]:  # a new session, with a numbering of its own
                self.session_id, self.last_seq = event["data"]["sessionId"], 0
            self.pending.append(event)  # after the replayed events: handled in order
            return

    async def send(self, name: str, data: JSON) -> None:
        assert self.connection is not None
        await self.connection.send(json.dumps({"event": name, "data": data}))

    # REST

    async def request(self, method: str, path: str, body: JSON | None = None) -> JSON:
        response = await self.http.request(method, path, json=body)
        if response.status_code >= 400:
            raise BotError(f"{method} {path}: {response.status_code} {response.text}")
        answer: JSON = response.json()
        return answer

    async def create_vs_ai(self, level: int, search_time: int, options: JSON) -> str:
        """A duel against gambit's AI; we take the first seat."""
        seats = [{"type": "human"}, {"type": "ai", "level": level, "searchTime": search_time}]
        body = {"game": "duel", "seats": seats, "options": options}
        battle = await self.request("POST", "/battles", body)
        return str(battle["id"])

    async def open_battle(self, seats: int, options: JSON) -> str:
        """A duel waiting for ``seats - 1`` more players to join."""
        body = {"game": "duel", "seats": [{"type": "human"}] * seats, "options": options}
        battle = await self.request("POST", "/battles", body)
        return str(battle["id"])

    async def join(self, battle_id: str) -> str:
        """Take a free seat (or play on in a battle we already sit in)."""
        battle = await self.request("GET", f"/battles/{battle_id}")
        if all(player["userId"] != self.user_id for player in battle["players"]):
            await self.request("POST", f"/battles/{battle_id}/join")
        return battle_id

    # Playing

    async def play(self, battle_id: str) -> Result:
        """Play ``battle_id`` to its end."""
        self.battle_id = battle_id
        await self.catch_up()  # it may be our turn already, or even over
        while self.result is None:
            event = await self.next_event()
            if event is None:  # quiet for long (a human opponent thinking?): look again
                await self.catch_up()
            else:
                await self.handle(event)
        return self.result

    async def handle(self, event: JSON) -> None:
        name, data = event["event"], event["data"]
        if data.get("battleId") not in (None, self.battle_id):
            return  # another battle of ours: this bot plays one at a time
        if name == "game:update":
            await self.take_turn(data)
        elif name == "game:end":
            self.finish(data["winners"], data["reason"])
        elif name == "game:action":
            if data["playerId"] == self.user_id:
                self.errors_in_a_row, self.last_error = 0, ""  # accepted
            self.log(f"{data['playerId'][:12]}: {json.dumps(data['action'])}")
        elif name == "reconnect":
            self.resumes.append(data["resumed"])
            self.log(f"reconnected, session {'resumed' if data['resumed'] else 'new'}")
            if not data["resumed"]:  # events were lost: look at the battle afresh
                await self.catch_up()
        elif name == "error":
            await self.refused(data)
        elif name in ("disconnect", "system:maintenance", "system:restart", "system:error"):
            self.log(f"{name}: {json.dumps(data)}")

    async def catch_up(self) -> None:
        """Look at the battle over REST: finish if it is over, act if it is our turn."""
        battle = await self.request("GET", f"/battles/{self.battle_id}")
        state = battle["state"]
        if battle["status"] == "FINISHED":
            self.finish(state["result"]["winners"], state["result"]["reason"])
        elif state["currentTurn"] == self.user_id:
            await self.take_turn(state, battle)

    async def take_turn(self, state: JSON, battle: JSON | None = None) -> None:
        """Act once in ``state``, if it is ours to act in and we have not yet."""
        if state["currentTurn"] != self.user_id or seq_of(state) == self.acted_at:
            return  # not our turn; or an update we already answered (they may repeat)
        if battle is None:  # the socket's state has no legalActions: ask for them
            battle = await self.request("GET", f"/battles/{self.battle_id}")
            state = battle["state"]
        legal = battle["legalActions"]
        if not legal or seq_of(state) == self.acted_at:
            return  # it moved on meanwhile (the turn ran out, or the battle ended)
        # After an action refused as illegal, rest: always legal on one's turn.
        if self.last_error == "INVALID_ACTION":
            action = next(a for a in legal if a["type"] == "rest")
        else:
            action = choose(state, self.user_id, legal)
        await self.pace()
        self.acted_at = seq_of(state)
        self.actions += 1
        self.log(f"round {state['round']}: {json.dumps(action)}")
        try:
            await self.send("game:action", {"battleId": self.battle_id, "action": action})
        except ConnectionClosed:
            self.acted_at, self.actions = -1, self.actions - 1  # not sent: act again later

    async def refused(self, error: JSON) -> None:
        """An ``error`` event: most likely our last action was refused."""
        self.errors.append(error)
        self.log(f"error: {json.dumps(error)}")
        if error["code"] == "NOT_YOUR_TURN":
            return  # a late answer to a turn that had already passed
        self.errors_in_a_row += 1
        self.last_error = error["code"]
        if self.errors_in_a_row > MAX_ERRORS_IN_A_ROW:
            raise BotError(f"{MAX_ERRORS_IN_A_ROW} refused actions in a row: {error}")
        if error["code"] == "RATE_LIMIT_EXCEEDED":
            await asyncio.sleep(2)
        self.acted_at = -1
        await self.catch_up()

    async def pace(self) -> None:
        """Stay within the server's game actions a minute (it refuses the rest)."""
        now = time.monotonic()
        while self.sent and self.sent[0] <= now - 60:
            self.sent.popleft()
        if len(self.sent) >= self.actions_per_minute:
            await asyncio.sleep(self.sent[0] + 60 - now)
            self.sent.popleft()
        self.sent.append(time.monotonic())

    def finish(self, winners: list[str], reason: str) -> None:
        if self.result is None:
            self.result = Result(
                self.battle_id,
                self.user_id,
                winners,
                reason,
                self.actions,
                self.errors,
                self.resumes,
            )


def seq_of(state: Mapping[str, Any]) -> int:
    """How many actions the battle has seen: the state's identity for "did we act here"."""
    last = state.get("lastAction")
    return int(last["seq"]) if last else 0


# The command line


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Play a duel on a gambit server.")
    parser.add_argument("--server", default="http://localhost:8080", help="the server's URL")
    parser.add_argument(
        "--token",
        default=os.environ.get("GAMBIT_TOKEN"),
        help="a personal API token (POST /api/v1/account/tokens); default $GAMBIT_TOKEN",
    )
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--join", metavar="BATTLE_ID", help="join this battle instead")
    how.add_argument(
        "--open", action="store_true", help="open a duel for another player to join, and wait"
    )
    parser.add_argument("--level", type=int, default=5, help="the AI's level, 0–20")
    parser.add_argument("--search-time", type=int, default=500, help="the AI's time, ms")
    parser.add_argument("--size", type=int, help="board size, 5–15 (default 7)")
    parser.add_argument("--max-rounds", type=int, help="round limit, 1–100 (default 100)")
    parser.add_argument("--turn-seconds", type=int, help="time for each human turn")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each action")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("a token is needed: --token or $GAMBIT_TOKEN")
    return args


async def main(args: argparse.Namespace, bot_class: type[DuelBot] = DuelBot) -> Result:
    options: JSON = {
        name: value
        for name, value in (
            ("size", args.size),
            ("maxRounds", args.max_rounds),
            ("turnSeconds", args.turn_seconds),
        )
        if value is not None
    }
    async with bot_class(args.server, args.token, verbose=args.verbose) as bot:
        if args.join:
            battle_id = await bot.join(args.join)
        elif args.open:
            battle_id = await bot.open_battle(2, options)
            print(f"waiting for an opponent: POST /api/v1/battles/{battle_id}/join", flush=True)
        else:
            battle_id = await bot.create_vs_ai(args.level, args.search_time, options)
        bot.log(f"playing battle {battle_id} as {bot.user_id}")
        return await bot.play(battle_id)


def run(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    result = asyncio.run(main(args))
    if args.json:
        print(json.dumps(result.to_json()), flush=True)
    else:
        print(
            f"battle {result.battle_id}: {result.verdict} ({result.reason}) "
            f"after {result.actions} actions",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(run())
