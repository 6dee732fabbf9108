"""Personal API tokens: long-lived bearer tokens with lichess's scopes, made by their user.

The database keeps a token's SHA-256, never the token, which is shown once at creation.
Checking a token on every request would cost a query, so each process remembers the
tokens it has checked for `CACHE_SECONDS`. Revoking a token deletes it and stores its
revocation (the ``revocations`` table every process follows each half second) for
longer than any process remembers it: refused here at once, elsewhere within a second,
and once forgotten, unknown to the database.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from gambit.services.errors import InvalidRequest, NotFound, Unauthorized
from gambit.services.revocations import Revocations
from gambit.services.tokens import SCOPES, AccessClaims, new_personal_token, secret_hash
from gambit.store.users import StoredApiToken, TokenOwner, UserStore, token_key

CACHE_SECONDS = 60.0
REVOKE_SECONDS = 2 * int(CACHE_SECONDS)  # outlives every process's memory of the token
DESCRIPTION_MAX_LENGTH = 100
MAX_TEST_TOKENS = 1000  # lichess's limit for /api/token/test


@dataclass(frozen=True, slots=True)
class NewApiToken:
    """A token just made: the secret, shown this once, and what is stored of it."""

    token: str
    stored: StoredApiToken


@dataclass(frozen=True, slots=True)
class TokenTest:
    """What ``/api/token/test`` says of a valid token."""

    user_id: str  # lichess's user id: the lower-cased username
    scopes: tuple[str, ...]  # every scope for a session's JWT
    expires_at: int | None  # epoch ms


def valid_description(description: str) -> bool:
    return (
        0 < len(description) <= DESCRIPTION_MAX_LENGTH
        and description.isprintable()
        and description.strip() == description
    )


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _claims(owner: TokenOwner) -> AccessClaims:
    token = owner.token
    return AccessClaims(
        user_id=token.user_id,
        username=owner.username,
        email=owner.email,
        token_id=token.id,
        session_id=token.id,
        expires_at=None if token.expires_at is None else token.expires_at // 1000,
        scopes=frozenset(token.scopes),
    )


class ApiTokens:
    def __init__(self, users: UserStore, revocations: Revocations) -> None:
        self._users = users
        self._revocations = revocations
        # token hash -> (claims, monotonic time they were read)
        self._known: dict[str, tuple[AccessClaims, float]] = {}

    async def create(
        self,
        user_id: str,
        description: str,
        scopes: Iterable[str],
        expires_at: datetime | None = None,
    ) -> NewApiToken:
        """A new token of ``user_id``; the rules are checked here for every caller."""
        chosen = tuple(dict.fromkeys(scopes))
        unknown = [scope for scope in chosen if scope not in SCOPES]
        if unknown:
            raise InvalidRequest("validation failed", f"Scopes: unknown scope {unknown[0]!r}")
        if not valid_description(description):
            raise InvalidRequest(
                "validation failed",
                f"Description must be 1-{DESCRIPTION_MAX_LENGTH} printable characters"
                " without surrounding spaces",
            )
        now = _now_ms()
        expires_ms = None if expires_at is None else int(expires_at.timestamp() * 1000)
        if expires_ms is not None and expires_ms <= now:
            raise InvalidRequest("validation failed", "ExpiresAt must be in the future")
        token, token_hash = new_personal_token()
        stored = StoredApiToken(
            id=str(uuid.uuid4()),
            user_id=user_id,
            description=description,
            scopes=chosen,
            created_at=now,
            expires_at=expires_ms,
            last_used_at=None,
        )
        await self._users.add_api_token(stored, token_hash)
        return NewApiToken(token, stored)

    async def of(self, user_id: str) -> list[StoredApiToken]:
        return await self._users.api_tokens(user_id)

    async def revoke(self, user_id: str, token_id: str) -> None:
        until = int(time.time()) + REVOKE_SECONDS
        if not await self._users.delete_api_token(user_id, token_id, until):
            raise NotFound(f"no API token with id {token_id}")
        self._revocations.add([token_key(token_id)], until)

    async def identify(self, token: str) -> AccessClaims:
        """The claims of a valid personal token (revocations are the caller's to check);
        raises `Unauthorized` otherwise. Reads the database once a minute per token."""
        token_hash = secret_hash(token)
        now = time.monotonic()
        known = self._known.get(token_hash)
        if known is None or known[1] + CACHE_SECONDS <= now:
            owner = await self._users.use_api_token(token_hash, _now_ms())
            if owner is None:
                self._known.pop(token_hash, None)
                raise Unauthorized("No such token", "create one at /api/v1/account/tokens")
            known = (_claims(owner), now)
            self._known[token_hash] = known
        claims = known[0]
        if claims.expires_at is not None and claims.expires_at <= time.time():
            raise Unauthorized("token expired", "create a new API token")
        return claims

    async def find(self, tokens: Iterable[str]) -> dict[str, TokenTest]:
        """The personal tokens among ``tokens`` that are valid now, by token."""
        by_hash = {secret_hash(token): token for token in tokens}
        now = _now_ms()
        return {
            by_hash[token_hash]: TokenTest(
                owner.username.lower(), owner.token.scopes, owner.token.expires_at
            )
            for token_hash, owner in (await self._users.find_api_tokens(list(by_hash))).items()
            if owner.token.expires_at is None or owner.token.expires_at > now
        }
