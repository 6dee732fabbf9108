"""What a battle's watchers are told, on the bus, after each stored change."""

from __future__ import annotations

from typing import Any

from gambit.bus import Event, EventBus, battle_topic, user_topic
from gambit.games.battle import ActionRecord, Battle, BattleStatus, to_public

CHANGES = frozenset({"game:start", "game:update", "game:deleted", "game:end"})
"""The events that follow a stored change of a battle."""
PLAYER_START, PLAYER_END = "player:start", "player:end"
"""A battle started or ended, as its players hear it on their own topic (named apart from
``game:*`` so that battle watchers never take them for a battle's own news)."""


class Announcer:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    async def publish(self, battle: Battle, name: str, **data: Any) -> None:
        await self._bus.publish(
            battle_topic(battle.id),
            Event(name, {"battleId": battle.id, "version": battle.version, **data}),
        )

    async def seats(self, battle: Battle) -> None:
        """A battle made or joined: ``game:start`` once everyone is seated; in any case
        ``game:update``, so that watching updates alone tells every state."""
        if battle.status is BattleStatus.ACTIVE:
            await self.publish(battle, "game:start")
            await self._tell_players(battle, PLAYER_START)
        await self.publish(battle, "game:update")

    async def update(self, battle: Battle) -> None:
        await self.publish(battle, "game:update")

    async def action(self, battle: Battle, record: ActionRecord) -> None:
        await self.publish(
            battle,
            "game:action",
            seq=record.seq,
            playerId=record.player_id,
            action=to_public(battle, record.action),
            at=record.at,
        )
        await self.publish(battle, "game:update", seq=record.seq)
        if battle.outcome:
            await self.end(battle)

    async def end(self, battle: Battle) -> None:
        assert battle.outcome is not None
        winners = [battle.seats[seat].player_id for seat in battle.outcome.winners]
        await self.publish(
            battle,
            "game:end",
            winners=winners,
            winner=winners[0] if len(winners) == 1 else None,
            reason=battle.outcome.reason,
        )
        await self._tell_players(battle, PLAYER_END)

    async def deleted(self, battle: Battle) -> None:
        await self.publish(battle, "game:deleted")

    async def _tell_players(self, battle: Battle, name: str) -> None:
        """The battle's start or end, on each of its signed-in players' own topic."""
        for user_id in {seat.user_id for seat in battle.seats if seat.user_id}:
            data = {"battleId": battle.id, "version": battle.version, "game": battle.game}
            await self._bus.publish(user_topic(user_id), Event(name, data))
