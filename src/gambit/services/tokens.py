"""Access tokens (HS256 JWTs), opaque refresh tokens and personal API tokens.

An access token names its user and its login (``sid``), so that revoking a login
refuses its access tokens too. Refresh tokens are random strings; the database keeps
only their SHA-256, which is enough to look one up and useless to a thief. Personal API
tokens are random strings too, long-lived, with the scopes of lichess's API; they start
with ``gbt_`` so that they are told from JWTs (and found by secret scanners) at a glance.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import string
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt

from gambit.services.errors import Unauthorized
from gambit.settings import Settings

log = logging.getLogger(__name__)

DEV_KEY_FILE = "auth_secret.key"
OPERATOR = "operator"
SYSTEM_SCOPE = "system"
PERSONAL_PREFIX = "gbt_"
_PERSONAL_ALPHABET = string.ascii_letters + string.digits  # lichess: ^[A-Za-z0-9_]+$
_PERSONAL_LENGTH = 32  # 190 bits

# The OAuth scopes of lichess's API (its lichess-api.yaml), which personal tokens carry.
SCOPES = (
    "preference:read",
    "preference:write",
    "email:read",
    "engine:read",
    "engine:write",
    "challenge:read",
    "challenge:write",
    "challenge:bulk",
    "study:read",
    "study:write",
    "tournament:write",
    "racer:write",
    "puzzle:read",
    "puzzle:write",
    "team:read",
    "team:write",
    "team:lead",
    "follow:read",
    "follow:write",
    "msg:write",
    "board:play",
    "bot:play",
    "web:mod",
)


class MissingSecretKey(Exception):
    """Outside dev mode the server will not invent a signing key."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a valid access token says about its bearer."""

    user_id: str
    username: str
    email: str | None
    token_id: str  # the JWT's jti, or the personal token's id
    session_id: str  # the login (refresh token family) it came from; a personal token's id
    expires_at: int | None  # unix seconds; None for a personal token that never expires
    scope: str | None = None  # "system" for an operator's token (`gambit system ...`)
    # The lichess scopes of a personal token; None for a session's JWT, which has them all.
    scopes: frozenset[str] | None = None

    @property
    def personal(self) -> bool:
        """True for a personal API token."""
        return self.scopes is not None

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes


class Tokens:
    def __init__(self, secret: str, algorithm: str, access_minutes: int) -> None:
        self._secret = secret
        self._algorithm = algorithm
        self.access_seconds = access_minutes * 60

    def issue(
        self, user_id: str, username: str, email: str | None, session_id: str
    ) -> tuple[str, int]:
        """A new access token and its expiry (unix seconds)."""
        now = int(time.time())
        expires_at = now + self.access_seconds
        claims = {
            "sub": user_id,
            "username": username,
            "email": email,
            "iat": now,
            "exp": expires_at,
            "jti": str(uuid.uuid4()),
            "sid": session_id,
        }
        return jwt.encode(claims, self._secret, algorithm=self._algorithm), expires_at

    def issue_operator(self, seconds: int = 60) -> str:
        """A short-lived token for the server's operator, who holds the signing key."""
        now = int(time.time())
        claims = {
            "sub": OPERATOR,
            "scope": SYSTEM_SCOPE,
            "iat": now,
            "exp": now + seconds,
            "jti": str(uuid.uuid4()),
            "sid": OPERATOR,
        }
        return jwt.encode(claims, self._secret, algorithm=self._algorithm)

    def decode(self, token: str) -> AccessClaims:
        """The claims of a well-signed, unexpired token; raises `Unauthorized` otherwise.

        Only the configured algorithm is accepted, so ``alg: none`` and algorithm
        confusion are refused by PyJWT before any claim is read.
        """
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                options={"require": ["sub", "exp", "iat", "jti", "sid"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token expired", "sign in again or refresh the token") from None
        except jwt.PyJWTError as exc:
            raise Unauthorized("invalid token", _why_refused(exc)) from None
        return AccessClaims(
            user_id=str(claims["sub"]),
            username=str(claims.get("username", "")),
            email=claims.get("email"),
            token_id=str(claims["jti"]),
            session_id=str(claims["sid"]),
            expires_at=int(claims["exp"]),
            scope=claims.get("scope"),
        )

    def subject(self, token: str) -> str | None:
        """The user id of a valid token, or None; for keying rate limits per user."""
        try:
            return self.decode(token).user_id
        except Unauthorized:
            return None


_REFUSALS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (
        jwt.InvalidSignatureError,
        "its signature does not match: it was altered, or signed with another key",
    ),
    (
        jwt.DecodeError,
        "it is not a token of this server (a JWT, or gbt_ and 32 letters and digits)",
    ),
    (jwt.InvalidAlgorithmError, "it is signed with another algorithm than this server's"),
    (jwt.MissingRequiredClaimError, "it lacks what this server's tokens carry"),
    (jwt.ImmatureSignatureError, "it is not valid yet"),
    (jwt.InvalidIssuedAtError, "it is not valid yet"),
)


def _why_refused(exc: jwt.PyJWTError) -> str:
    """The reason PyJWT refused a token, in words for a person rather than PyJWT's own."""
    reason = next((words for kind, words in _REFUSALS if isinstance(exc, kind)), "it is unreadable")
    return f"{reason}; sign in again for a new one"


def new_refresh_token() -> tuple[str, str]:
    """A fresh refresh token and the hash under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, secret_hash(token)


def secret_hash(token: str) -> str:
    """What the database keeps of a refresh or personal token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_personal_token() -> tuple[str, str]:
    """A fresh personal API token and the hash under which it is stored."""
    body = "".join(secrets.choice(_PERSONAL_ALPHABET) for _ in range(_PERSONAL_LENGTH))
    token = PERSONAL_PREFIX + body
    return token, secret_hash(token)


def is_personal_token(token: str) -> bool:
    return token.startswith(PERSONAL_PREFIX)


def secret_key(settings: Settings) -> str:
    """``AUTH_SECRET_KEY``; in dev mode without one, a random key kept in the data directory."""
    if settings.auth_secret_key is not None:
        return settings.auth_secret_key.get_secret_value()
    if not settings.dev_mode:
        raise MissingSecretKey(
            "AUTH_SECRET_KEY is not set. Set it to a long random string "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`), "
            "or run with --dev to use a generated development key."
        )
    path = Path(settings.data_dir) / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
        log.warning("dev mode: generated a token signing key in %s", path)
    return path.read_text().strip()
