"""What the socket says of a bus event: rendered once, sent to every watcher."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from gambit.api.schemas.battles import BattleView, game_state
from gambit.bus import Event
from gambit.games.battle import Battle
from gambit.services.errors import NotFound


def renderer(get_battle: Callable[[str], Battle]) -> Callable[[str, Event], str | None]:
    """``game:update`` carries the new GameState and ``game:start`` the Battle; the other
    events carry their own data."""

    def render(topic: str, event: Event) -> str | None:
        if event.name in ("game:update", "game:start"):
            try:
                battle = get_battle(event.data["battleId"])
            except NotFound:
                return None
            if event.name == "game:update":
                return game_state(battle).model_dump_json()
            view = BattleView.of(battle).model_dump_json()
            return f'{{"battleId":{json.dumps(battle.id)},"battle":{view}}}'
        return json.dumps(event.data, separators=(",", ":"))

    return render


def seated_users(get_battle: Callable[[str], Battle]) -> Callable[[str], Iterable[str]]:
    def seated(battle_id: str) -> Iterable[str]:
        try:
            battle = get_battle(battle_id)
        except NotFound:
            return ()
        return [seat.user_id for seat in battle.seats if seat.user_id]

    return seated
