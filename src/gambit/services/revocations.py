"""Revoked access tokens and logins, as this server process knows them.

Every process (another server, the ``gambit user`` commands) stores its sign-outs in the
``revocations`` table; each server reads the table every half second, so a sign-out made
anywhere is refused everywhere within a second, with or without Redis. The check on every
request is a lookup in memory, which holds only the revocations that have not expired.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable

from gambit.services.tokens import AccessClaims
from gambit.store.errors import StorageUnavailable
from gambit.store.users import UserStore, login_key, token_key

log = logging.getLogger(__name__)

REFRESH_SECONDS = 0.5


class Revocations:
    """The live revocations: ``jti:<token id>`` and ``sid:<login id>`` keys with their
    expiry, refreshed from the database while started."""

    def __init__(self, users: UserStore) -> None:
        self._users = users
        self._live: dict[str, int] = {}
        self._follower: asyncio.Task[None] | None = None

    def refuses(self, claims: AccessClaims) -> bool:
        """True if the token, or its whole login, is revoked."""
        live = self._live
        return token_key(claims.token_id) in live or login_key(claims.session_id) in live

    def add(self, keys: Iterable[str], until: int) -> None:
        """Revocations this process has just stored: refused here at once."""
        self._live.update(dict.fromkeys(keys, until))

    async def start(self) -> None:
        """Read the revocations, then follow the table; raises if it cannot be read."""
        await self._refresh()
        self._follower = asyncio.create_task(self._follow())

    async def close(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower

    async def _refresh(self) -> None:
        """Learn the revocations stored by anyone; delete the expired ones from the table."""
        now = int(time.time())
        stored = await self._users.revocations()
        # Revocations are never lifted, only expire: keeping what this process added since
        # the read began (and missed) is always right.
        merged = self._live | stored
        self._live = {key: until for key, until in merged.items() if until > now}
        if any(until <= now for until in stored.values()):
            await self._users.delete_revocations(expired_at=now)

    async def _follow(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                await self._refresh()
            except Exception as exc:
                # The last known revocations stay in force; say so once per outage, with a
                # traceback only for what is not one.
                if not failing:
                    log.warning(
                        "cannot read the revocations (%s); keeping the %d known and retrying",
                        exc.__cause__ or exc,
                        len(self._live),
                        exc_info=not isinstance(exc, StorageUnavailable),
                    )
                failing = True
            else:
                if failing:
                    log.info("the revocations can be read again")
                failing = False
