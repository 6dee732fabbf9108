"""Keeping this process's battles in step with changes other processes store.

Another process announces each change it stores on the bus; before the news is passed
on here, a battle held in memory is read again. When the bus may have missed news (its
connection dropped or came back), every battle held is checked against the database at
its next use, and while the bus is down, at every use.
"""

from __future__ import annotations

from gambit.bus import Event, EventBus
from gambit.services.announcer import CHANGES
from gambit.services.repository import BattleRepository

TOPIC_PREFIX = "battle:"


def keep_in_step(bus: EventBus, repository: BattleRepository) -> None:
    """Hook ``repository`` to ``bus``: other processes' changes reach what it holds."""

    async def catch_up(topic: str, event: Event) -> None:
        battle_id = topic.removeprefix(TOPIC_PREFIX)
        if battle_id == topic or event.name not in CHANGES:
            return
        held = repository.peek(battle_id)
        if held is not None and held.version == event.data.get("version"):
            return  # already as announced
        if event.name == "game:deleted":
            repository.forget(battle_id)
        else:
            await repository.refresh(battle_id)

    bus.on_remote(catch_up)
    bus.on_stale(repository.distrust_all)
    repository.trust_while(lambda: bus.live)
