"""Battles in play, held in memory in front of the database.

The database is the truth; this is a cache of the battles being used. A battle is
loaded on first use and leaves memory once nobody has used it for ``idle_seconds``
(unless something pins it: an AI turn, watchers). The cache holds each battle as last
stored: changes are made on a copy, stored, and only then put here.

With several processes a battle may change elsewhere. The cache is told of such
changes over the bus; when the bus may have missed some (it dropped, or is down), the
cache distrusts what it holds and checks a battle's stored version before serving it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from gambit.games.battle import Battle
from gambit.services.errors import NotFound
from gambit.store import BattleStore, StorageUnavailable

log = logging.getLogger(__name__)

Pin = Callable[[str], bool]
"""Whether a battle must stay in memory (by id) however long it is idle."""


@dataclass(slots=True)
class _Lock:
    """A battle's lock, kept while anyone holds it or waits for it."""

    lock: asyncio.Lock
    users: int = 0


@dataclass(slots=True)
class _Entry:
    battle: Battle
    used_at: float  # monotonic seconds
    trusted_in: int  # the generation of trust it was last checked in


class BattleRepository:
    def __init__(
        self,
        store: BattleStore,
        *,
        idle_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._idle_seconds = idle_seconds
        self._monotonic = monotonic
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, _Lock] = {}
        self._loading: dict[str, asyncio.Future[Battle | None]] = {}
        self._pins: list[Pin] = []
        self._generation = 0  # raised whenever what is held may have gone stale
        self._trusted: Callable[[], bool] = lambda: True

    def trust_while(self, trusted: Callable[[], bool]) -> None:
        """While ``trusted()`` is false (the bus is down), check every battle's version
        against the database before serving it."""
        self._trusted = trusted

    def pin(self, pin: Pin) -> None:
        self._pins.append(pin)

    def __len__(self) -> int:
        return len(self._entries)

    def held(self) -> Iterator[Battle]:
        """The battles in memory, as they are."""
        return (entry.battle for entry in self._entries.values())

    def peek(self, battle_id: str) -> Battle | None:
        """The battle if it is in memory, as it is; no loading, no checks."""
        entry = self._entries.get(battle_id)
        return entry.battle if entry else None

    async def get(self, battle_id: str) -> Battle:
        """The battle as stored, from memory when it can be trusted; raises `NotFound`."""
        entry = self._entries.get(battle_id)
        if entry is None:
            return await self._load(battle_id)
        entry.used_at = self._monotonic()
        if entry.trusted_in == self._generation and self._trusted():
            return entry.battle
        try:
            version = await self._store.version(battle_id)
        except StorageUnavailable:
            return entry.battle  # reads go on from memory while the database is away
        if version is None:
            self.forget(battle_id)
            raise NotFound(f"no battle with id {battle_id}")
        if version != entry.battle.version:
            return await self._load(battle_id)
        entry.trusted_in = self._generation
        return entry.battle

    async def get_many(self, battle_ids: Sequence[str]) -> list[Battle]:
        """Battles for a list: from memory where they are, else read (and not kept)."""
        held = {i: e.battle for i in battle_ids if (e := self._entries.get(i)) is not None}
        missing = [i for i in battle_ids if i not in held]
        read = {battle.id: battle for battle in await self._store.load_many(missing)}
        return [b for i in battle_ids if (b := held.get(i) or read.get(i)) is not None]

    @asynccontextmanager
    async def locked(self, battle_id: str) -> AsyncIterator[Battle]:
        """The battle, fresh, with its changes in this process held off until the block
        ends: a change is made on a copy, stored and put back inside the block."""
        held = self._locks.setdefault(battle_id, _Lock(asyncio.Lock()))
        held.users += 1
        try:
            async with held.lock:
                yield await self.get(battle_id)
        finally:
            held.users -= 1
            if not held.users:
                del self._locks[battle_id]

    async def recheck(self, battle_id: str) -> Battle | None:
        """The battle as stored if it has changed since it was put here, else None."""
        entry = self._entries.get(battle_id)
        try:
            version = await self._store.version(battle_id)
        except StorageUnavailable:
            return None
        if entry is not None and version == entry.battle.version:
            return None
        if version is None:
            self.forget(battle_id)
            raise NotFound(f"no battle with id {battle_id}")
        return await self._load(battle_id)

    def put(self, battle: Battle) -> None:
        """Hold ``battle`` as stored just now."""
        self._entries[battle.id] = _Entry(battle, self._monotonic(), self._generation)

    def forget(self, battle_id: str) -> None:
        self._entries.pop(battle_id, None)

    def distrust(self, battle_id: str) -> None:
        """Check this battle against the database at its next use (its last change may
        or may not have been stored)."""
        entry = self._entries.get(battle_id)
        if entry is not None:
            entry.trusted_in = -1

    def distrust_all(self) -> None:
        """Changes made elsewhere may have been missed: check each battle at next use."""
        self._generation += 1

    async def refresh(self, battle_id: str) -> None:
        """Another process changed the battle: read it again if it is held here."""
        if battle_id in self._entries:
            try:
                await self._load(battle_id)
            except NotFound:
                pass
            except StorageUnavailable:
                self.distrust(battle_id)

    def evict_idle(self) -> int:
        """Let go of the battles nobody has used for a while; returns how many."""
        horizon = self._monotonic() - self._idle_seconds
        idle = [
            battle_id
            for battle_id, entry in self._entries.items()
            if entry.used_at < horizon and not self._in_use(battle_id)
        ]
        for battle_id in idle:
            self.forget(battle_id)
        return len(idle)

    def _in_use(self, battle_id: str) -> bool:
        return battle_id in self._locks or any(pin(battle_id) for pin in self._pins)

    async def _load(self, battle_id: str) -> Battle:
        """Read the battle into memory; concurrent readers of one battle share one read."""
        loading = self._loading.get(battle_id)
        if loading is None:
            loading = asyncio.get_running_loop().create_future()
            self._loading[battle_id] = loading
            try:
                battle = await self._store.load(battle_id)
            except Exception as exc:
                loading.set_exception(exc)
                loading.exception()  # marked retrieved: waiters, if any, get it too
                raise
            except BaseException:
                loading.cancel()
                raise
            finally:
                del self._loading[battle_id]
            if battle is None:
                self.forget(battle_id)
            else:
                self.put(battle)
            loading.set_result(battle)
        else:
            battle = await asyncio.shield(loading)
        if battle is None:
            raise NotFound(f"no battle with id {battle_id}")
        return battle
