"""What the socket says of a bus event: rendered once, sent to every watcher."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from gambit.api.schemas.battles import BattleView, game_state
from gambit.bus import Event
from gambit.games.battle import Battle


def renderer(held: Callable[[str], Battle | None]) -> Callable[[str, Event], str | None]:
    """``game:update`` carries the new GameState and ``game:start`` the Battle, from the
    battle held in memory (a watched battle always is); the other events carry their
    own data."""

    def render(topic: str, event: Event) -> str | None:
        if event.name in ("game:update", "game:start"):
            battle = held(event.data["battleId"])
            if battle is None:
                return None
            if event.name == "game:update":
                return game_state(battle).model_dump_json()
            view = BattleView.of(battle).model_dump_json()
            return f'{{"battleId":{json.dumps(battle.id)},"battle":{view}}}'
        return json.dumps(event.data, separators=(",", ":"))

    return render


def seated_users(held: Callable[[str], Battle | None]) -> Callable[[str], Iterable[str]]:
    def seated(battle_id: str) -> Iterable[str]:
        battle = held(battle_id)
        if battle is None:
            return ()
        return [seat.user_id for seat in battle.seats if seat.user_id]

    return seated
