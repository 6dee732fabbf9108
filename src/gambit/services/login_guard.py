"""Slowing down and locking out password guessing, without letting anyone lock out a user.

Failed logins are counted in moving windows (the `limits` library, so the counts live
in Redis when several processes share it):

- per account and client address: after ``per_pair`` failures that address may not try
  that account again until the window has moved on;
- per client address: after ``per_ip`` failures, across accounts, the address is locked;
- per account, from anywhere: after ``slow_after`` failures every further try waits a
  little longer (up to 2 s), but is never refused. An attacker can slow a user's logins
  down; only their own address gets locked.
"""

from __future__ import annotations

import asyncio
import math
import time

from limits import RateLimitItemPerMinute
from limits.aio.strategies import MovingWindowRateLimiter

from gambit.metrics import LOGIN_FAILURES
from gambit.services.errors import TooManyAttempts

MAX_DELAY_SECONDS = 2.0
_ACCOUNT_COUNT_CEILING = 1_000_000  # only counted, never a limit


class LoginGuard:
    def __init__(
        self,
        limiter: MovingWindowRateLimiter,
        *,
        per_pair: int,
        per_ip: int,
        slow_after: int,
        window_minutes: int,
        delay_step: float = 0.5,
    ) -> None:
        self._limiter = limiter
        self._pair = RateLimitItemPerMinute(per_pair, window_minutes)
        self._ip = RateLimitItemPerMinute(per_ip, window_minutes)
        self._account = RateLimitItemPerMinute(_ACCOUNT_COUNT_CEILING, window_minutes)
        self._slow_after = slow_after
        self._delay_step = delay_step

    async def before_attempt(self, account: str, address: str) -> None:
        """Raise `TooManyAttempts` if locked; otherwise wait as long as the account's
        recent failures call for."""
        for item, keys in ((self._ip, ("ip", address)), (self._pair, ("pair", account, address))):
            if not await self._limiter.test(item, "login-failures", *keys):
                stats = await self._limiter.get_window_stats(item, "login-failures", *keys)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                LOGIN_FAILURES.labels("locked").inc()
                raise TooManyAttempts("too many failed logins; try again later", retry_after)
        stats = await self._limiter.get_window_stats(
            self._account, "login-failures", "account", account
        )
        failures = self._account.amount - stats.remaining
        if failures >= self._slow_after:
            steps = failures - self._slow_after + 1
            await asyncio.sleep(min(MAX_DELAY_SECONDS, self._delay_step * steps))

    async def failed(self, account: str, address: str) -> None:
        LOGIN_FAILURES.labels("wrong_credentials").inc()
        await self._limiter.hit(self._ip, "login-failures", "ip", address)
        await self._limiter.hit(self._pair, "login-failures", "pair", account, address)
        await self._limiter.hit(self._account, "login-failures", "account", account)

    async def succeeded(self, account: str, address: str) -> None:
        """A right password from this address forgets its failures on this account."""
        await self._limiter.clear(self._pair, "login-failures", "pair", account, address)
