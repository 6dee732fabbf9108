"""Rate limits: moving windows per client, with the X-RateLimit-* headers and 429s.

A pure ASGI middleware (no per-request task or body buffering), so a limited route
costs two counter operations and a few headers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from limits import RateLimitItem
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gambit.api.errors import error_response
from gambit.api.net import client_address
from gambit.settings import IPNetwork


@dataclass(frozen=True, slots=True)
class LimitRule:
    """A class of requests sharing one limit, counted per client address."""

    name: str
    limit: RateLimitItem
    applies: Callable[[str], bool]  # given the request path


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: MovingWindowRateLimiter,
        rules: Sequence[LimitRule],
        trusted_proxies: Sequence[IPNetwork],
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.rules = rules
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self._rule_for(scope)
        if rule is None:
            await self.app(scope, receive, send)
            return
        client = client_address(scope, self.trusted_proxies)
        allowed = await self.limiter.hit(rule.limit, rule.name, client)
        stats = await self.limiter.get_window_stats(rule.limit, rule.name, client)
        reset = math.ceil(stats.reset_time)
        headers = {
            "X-RateLimit-Limit": str(rule.limit.amount),
            "X-RateLimit-Remaining": str(stats.remaining),
            "X-RateLimit-Reset": str(reset),
        }
        if not allowed:
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            response = error_response(
                429,
                "RATE_LIMIT_EXCEEDED",
                "rate limit exceeded",
                f"at most {rule.limit.amount} requests per {_period(rule.limit)}; "
                f"retry in {retry_after} s",
                headers | {"Retry-After": str(retry_after)},
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _rule_for(self, scope: Scope) -> LimitRule | None:
        if scope["type"] != "http":
            return None
        path: str = scope["path"]
        return next((rule for rule in self.rules if rule.applies(path)), None)


def _period(limit: RateLimitItem) -> str:
    unit = limit.GRANULARITY.name
    return unit if limit.multiples == 1 else f"{limit.multiples} {unit}s"
