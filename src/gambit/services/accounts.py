"""Accounts: registration, logins and their tokens, profiles, and revocation.

A login is a family of refresh tokens. Each refresh spends its token and hands out the
next one; presenting a spent token again means it was copied, so the whole family is
revoked (RFC 6819's refresh token rotation). Revoked logins and logged-out access tokens
are kept in memory for the check on every request, and in the database for restarts.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, replace

from email_validator import EmailNotValidError, validate_email

from gambit.bus import Event, EventBus
from gambit.services.errors import Conflict, InvalidRequest, NotFound, Unauthorized
from gambit.services.login_guard import LoginGuard
from gambit.services.passwords import Passwords
from gambit.services.tokens import AccessClaims, Tokens, new_refresh_token, refresh_token_hash
from gambit.store.users import DuplicateUser, StoredUser, UserStore

USERNAME_PATTERN = r"^[A-Za-z0-9_]{1,40}$"
PASSWORD_MIN_LENGTH = 8
DISPLAY_NAME_MAX_LENGTH = 50

WRONG_CREDENTIALS = "invalid username or password"


def password_problem(password: str) -> str | None:
    """The rule ``password`` breaks, or None: 8 characters or more, a letter and a digit."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"must be at least {PASSWORD_MIN_LENGTH} characters"
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return "must contain a letter and a digit"
    return None


def normalized_email(email: str) -> str:
    """``email`` in its normal form; raises ValueError (the rule broken) if it is not valid."""
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"must be a valid email address ({exc})") from None


def valid_username(username: str) -> bool:
    return re.fullmatch(USERNAME_PATTERN, username) is not None


def valid_display_name(name: str) -> bool:
    """Printable text of 1 to 50 characters, no control characters or angle brackets."""
    return (
        0 < len(name) <= DISPLAY_NAME_MAX_LENGTH
        and name.isprintable()
        and name.strip() == name
        and not set(name) & set("<>")
    )


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class Session:
    """What a successful register, login or refresh hands back."""

    user: StoredUser
    access_token: str
    refresh_token: str
    expires_in: int  # seconds
    expires_at: int  # unix seconds


ACCOUNTS_TOPIC = "accounts"
REVOKED = "tokens:revoked"


class Accounts:
    def __init__(
        self,
        users: UserStore,
        passwords: Passwords,
        tokens: Tokens,
        guard: LoginGuard,
        refresh_days: int,
        bus: EventBus | None = None,
    ) -> None:
        self._bus = bus
        if bus is not None:
            bus.add_listener(self._hear)
        self._users = users
        self._passwords = passwords
        self._tokens = tokens
        self._guard = guard
        self._refresh_ms = refresh_days * 86_400_000
        self._revoked: set[str] = set()

    async def load(self) -> None:
        """Read the revocations that still matter (after a restart)."""
        self._revoked = await self._users.live_revocations(int(time.time()))

    # -- accounts -----------------------------------------------------------------

    async def create_user(self, username: str, email: str | None, password: str) -> StoredUser:
        """A new account; the rules are checked here too, for callers other than the API."""
        if not valid_username(username):
            raise InvalidRequest("validation failed", "Username must be 1-40 letters, digits or _")
        if problem := password_problem(password):
            raise InvalidRequest("validation failed", f"Password {problem}")
        user = StoredUser(
            id=str(uuid.uuid4()),
            username=username,
            email=self._email(email),
            password_hash=await self._passwords.hash(password),
            display_name=None,
            created_at=now_ms(),
            last_login_at=None,
        )
        try:
            await self._users.add(user)
        except DuplicateUser as exc:
            raise Conflict(f"{exc.field} already taken", f"choose another {exc.field}") from None
        return user

    async def register(self, username: str, email: str | None, password: str) -> Session:
        user = await self.create_user(username, email, password)
        return await self._start_session(user)

    async def login(self, identifier: str, password: str, address: str) -> Session:
        """A new session for the right password; one message for every wrong credential."""
        account = identifier.lower()
        await self._guard.before_attempt(account, address)
        user = await self._users.find(identifier)
        if not await self._passwords.verify(user.password_hash if user else None, password):
            await self._guard.failed(account, address)
            raise Unauthorized(WRONG_CREDENTIALS)
        assert user is not None
        await self._guard.succeeded(account, address)
        user = replace(user, last_login_at=now_ms())
        await self._users.save(user)
        return await self._start_session(user)

    async def refresh(self, refresh_token: str) -> Session:
        """Spend ``refresh_token`` for a new pair; a spent one revokes its whole login."""
        spent, token = await self._users.spend_refresh_token(
            refresh_token_hash(refresh_token), now_ms()
        )
        if token is None:
            raise Unauthorized("invalid refresh token")
        if not spent:
            if token.used_at is not None and not token.revoked:
                await self._revoke_sessions(token.user_id, only=token.family_id)
                raise Unauthorized(
                    "refresh token reused", "this login has been revoked; sign in again"
                )
            raise Unauthorized("refresh token expired or revoked", "sign in again")
        user = await self._users.get(token.user_id)
        if user is None:
            raise Unauthorized("the account no longer exists")
        return await self._issue(user, token.family_id)

    async def logout(self, claims: AccessClaims, refresh_token: str | None) -> None:
        """Revoke this access token and the login of ``refresh_token`` (or of the token)."""
        session_id = claims.session_id
        if refresh_token:
            token = await self._users.find_refresh_token(refresh_token_hash(refresh_token))
            if token is None or token.user_id != claims.user_id:
                raise Unauthorized("invalid refresh token")
            session_id = token.family_id
        await self._revoke_sessions(claims.user_id, only=session_id)
        await self._revoke([f"jti:{claims.token_id}"], claims.expires_at)

    def authenticate(self, token: str) -> AccessClaims:
        """The claims of a valid, unrevoked access token; raises `Unauthorized` otherwise."""
        claims = self._tokens.decode(token)
        if claims.scope is not None:
            raise Unauthorized("not a user's token", "operator tokens serve /system alone")
        if f"jti:{claims.token_id}" in self._revoked or f"sid:{claims.session_id}" in self._revoked:
            raise Unauthorized("token revoked", "sign in again")
        return claims

    async def user(self, user_id: str) -> StoredUser:
        user = await self._users.get(user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        return user

    async def signed_in_user(self, claims: AccessClaims) -> StoredUser:
        user = await self._users.get(claims.user_id)
        if user is None:
            raise Unauthorized("the account no longer exists")
        return user

    async def update_profile(
        self,
        claims: AccessClaims,
        *,
        display_name: str | None = None,
        email: str | None = None,
        password: str | None = None,
        current_password: str | None = None,
    ) -> StoredUser:
        """Change what is given; a new password needs the current one and ends other logins."""
        user = await self.signed_in_user(claims)
        if display_name is not None:
            user = replace(user, display_name=display_name or None)
        if email is not None:
            user = replace(user, email=self._email(email or None))
        if password is not None:
            if not current_password or not await self._passwords.verify(
                user.password_hash, current_password
            ):
                raise Unauthorized("current password is wrong", "send currentPassword")
            user = replace(user, password_hash=await self._hashed(password))
        await self._save(user)
        if password is not None:
            await self._revoke_sessions(user.id, keep=claims.session_id)
        return user

    # -- operators (the CLI) -------------------------------------------------------

    async def all_users(self) -> list[StoredUser]:
        return await self._users.all()

    async def set_password(self, identifier: str, password: str) -> StoredUser:
        user = await self._find(identifier)
        user = replace(user, password_hash=await self._hashed(password))
        await self._save(user)
        await self._revoke_sessions(user.id)
        return user

    async def set_email(self, identifier: str, email: str | None) -> StoredUser:
        user = replace(await self._find(identifier), email=self._email(email))
        await self._save(user)
        return user

    async def delete_user(self, identifier: str) -> StoredUser:
        user = await self._find(identifier)
        await self._revoke_sessions(user.id)
        await self._users.delete(user.id)
        return user

    # -- internals -------------------------------------------------------------------

    async def _find(self, identifier: str) -> StoredUser:
        user = await self._users.find(identifier)
        if user is None:
            raise NotFound(f"no user {identifier!r}")
        return user

    async def _hashed(self, password: str) -> str:
        if problem := password_problem(password):
            raise InvalidRequest("validation failed", f"Password {problem}")
        return await self._passwords.hash(password)

    async def _save(self, user: StoredUser) -> None:
        try:
            await self._users.save(user)
        except DuplicateUser as exc:
            raise Conflict(f"{exc.field} already taken", f"choose another {exc.field}") from None

    @staticmethod
    def _email(email: str | None) -> str | None:
        if email is None:
            return None
        try:
            return normalized_email(email)
        except ValueError as exc:
            raise InvalidRequest("validation failed", f"Email {exc}") from None

    async def _start_session(self, user: StoredUser) -> Session:
        return await self._issue(user, str(uuid.uuid4()))

    async def _issue(self, user: StoredUser, session_id: str) -> Session:
        refresh_token, token_hash = new_refresh_token()
        created = now_ms()
        await self._users.add_refresh_token(
            token_hash, session_id, user.id, created, created + self._refresh_ms
        )
        access_token, expires_at = self._tokens.issue(
            user.id, user.username, user.email, session_id
        )
        return Session(
            user=user,
            access_token=access_token,
            refresh_token=refresh_token,
            expires_in=self._tokens.access_seconds,
            expires_at=expires_at,
        )

    async def _revoke_sessions(
        self, user_id: str, *, only: str | None = None, keep: str | None = None
    ) -> None:
        """Revoke logins: their refresh tokens now, their access tokens until they expire."""
        families = await self._users.revoke_families(user_id, only=only, keep=keep)
        if only is not None and only not in families:
            families.append(only)
        expires_at = int(time.time()) + self._tokens.access_seconds
        await self._revoke([f"sid:{family}" for family in families], expires_at)

    async def _revoke(self, keys: list[str], expires_at: int) -> None:
        await self._users.add_revocations(keys, expires_at)
        self._revoked.update(keys)
        if self._bus is not None:  # other server processes refuse these tokens too
            await self._bus.publish(ACCOUNTS_TOPIC, Event(REVOKED, {"keys": keys}))

    def _hear(self, topic: str, event: Event) -> None:
        if topic == ACCOUNTS_TOPIC and event.name == REVOKED:
            self._revoked.update(event.data["keys"])
