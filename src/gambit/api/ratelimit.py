"""Rate limits: moving windows per client, with the X-RateLimit-* headers and 429s.

Each request falls in at most one class (DESIGN.md: seed 003's per-IP limits on the
chess face and on sign-up and sign-in, seed 000's classes elsewhere). A class counts
per client address, or per user when the request carries a valid token. The moving
window is the burst allowance: a client may spend a class's whole budget at once, but
never more than the budget within any window.

A pure ASGI middleware (no per-request task or body buffering), so a limited route
costs two counter operations and a few headers.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gambit.api.errors import error_response
from gambit.api.net import client_address
from gambit.metrics import RATE_LIMITED
from gambit.settings import IPNetwork, Settings


@dataclass(frozen=True, slots=True)
class LimitRule:
    """A class of requests sharing one limit: which methods and paths, counted per what."""

    name: str
    limit: RateLimitItem
    path: re.Pattern[str]
    methods: frozenset[str] | None = None  # None: every method
    per: Literal["ip", "client"] = "ip"  # "client": the user when signed in, else the IP

    def applies(self, method: str, path: str) -> bool:
        return (self.methods is None or method in self.methods) and bool(self.path.match(path))


def limit_rules(settings: Settings, api_prefix: str) -> list[LimitRule]:
    """The classes of both seeds, for paths under ``api_prefix`` and at the root."""
    both = f"^(?:{re.escape(api_prefix)})?"
    post = frozenset({"POST"})
    return [
        LimitRule(
            "games",
            RateLimitItemPerSecond(settings.games_rate_per_second),
            re.compile(f"^{re.escape(api_prefix)}/games(?:/|$)"),
        ),
        LimitRule(
            "register", settings.limit("register"), re.compile(f"{both}/auth/register$"), post
        ),
        LimitRule(
            "login", settings.limit("login"), re.compile(f"{both}/(?:auth/login|token)$"), post
        ),
        LimitRule(
            "auth",
            settings.limit("auth"),
            re.compile(f"{both}/auth/(?:refresh|logout)$"),
            post,
            per="client",
        ),
        LimitRule(
            "battle_create",
            settings.limit("battle_create"),
            re.compile(f"{both}/battles$"),
            post,
            per="client",
        ),
        LimitRule(
            "game_actions",
            settings.limit("game_actions"),
            re.compile(f"{both}/(?:battles/[^/]+/(?:actions|forfeit)|game/state|ai/action)$"),
            post,
            per="client",
        ),
        LimitRule(
            "state",
            settings.limit("state"),
            re.compile(f"{both}/(?:state|game/state)(?:/|$)"),
            per="client",
        ),
        LimitRule(
            "general",
            settings.limit("general"),
            re.compile(f"{both}/(?:users|auth/me|battles)(?:/|$)"),
            per="client",
        ),
    ]


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: MovingWindowRateLimiter,
        rules: Sequence[LimitRule],
        trusted_proxies: Sequence[IPNetwork],
        user_of: Callable[[str], str | None],
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.rules = rules
        self.trusted_proxies = trusted_proxies
        self.user_of = user_of  # the user id of a bearer token, if it is valid

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self._rule_for(scope)
        if rule is None:
            await self.app(scope, receive, send)
            return
        client = self._client(scope, rule)
        allowed = await self.limiter.hit(rule.limit, rule.name, client)
        stats = await self.limiter.get_window_stats(rule.limit, rule.name, client)
        reset = math.ceil(stats.reset_time)
        headers = {
            "X-RateLimit-Limit": str(rule.limit.amount),
            "X-RateLimit-Remaining": str(stats.remaining),
            "X-RateLimit-Reset": str(reset),
        }
        if not allowed:
            RATE_LIMITED.labels(rule.name).inc()
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
        method: str = scope["method"]
        path: str = scope["path"]
        return next((rule for rule in self.rules if rule.applies(method, path)), None)

    def _client(self, scope: Scope, rule: LimitRule) -> str:
        if rule.per == "client":
            authorization = Headers(scope=scope).get("authorization", "")
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() == "bearer" and (user := self.user_of(token.strip())):
                return f"user:{user}"
        return f"ip:{client_address(scope, self.trusted_proxies)}"


def _period(limit: RateLimitItem) -> str:
    unit = limit.GRANULARITY.name
    return unit if limit.multiples == 1 else f"{limit.multiples} {unit}s"
