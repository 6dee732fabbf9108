"""Accounts: registration, logins and their tokens, profiles, and revocation.

A login is a family of refresh tokens. Each refresh spends its token and hands out the
next one; presenting a spent token again means it was copied, so the whole family is
revoked (RFC 6819's refresh token rotation). Revoked logins and logged-out access tokens
are stored in the database, from where every server process learns of them (`Revocations`).
Personal API tokens (`ApiTokens`) are accepted wherever an access token is.
Each request's changes are stored in one transaction, so a refusal (`StorageUnavailable`)
leaves nothing half done: retrying is always safe.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from email_validator import EmailNotValidError, validate_email

from gambit.services.api_tokens import ApiTokens, TokenTest
from gambit.services.errors import Conflict, InvalidRequest, NotFound, Unauthorized
from gambit.services.login_guard import LoginGuard
from gambit.services.passwords import Passwords
from gambit.services.revocations import Revocations
from gambit.services.tokens import (
    SCOPES,
    AccessClaims,
    Tokens,
    is_personal_token,
    new_refresh_token,
    secret_hash,
)
from gambit.store.errors import StorageUnavailable
from gambit.store.users import (
    BOT_TITLE,
    DuplicateUser,
    NewRefreshToken,
    SignOut,
    StoredUser,
    UserStore,
)

log = logging.getLogger(__name__)

USERNAME_PATTERN = r"^[A-Za-z0-9_]{1,40}$"
PASSWORD_MIN_LENGTH = 8
DISPLAY_NAME_MAX_LENGTH = 50

WRONG_CREDENTIALS = "invalid username or password"
# lichess's answer to upgrading an account that has played
HAS_PLAYED = "You already have games played. Make a new account."

# A user is "seen" by their requests: each process notes it at most once a minute, so a
# user counts as online while seen in the last three.
SEEN_EVERY_SECONDS = 60.0
ONLINE_MS = 180_000


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


def is_online(user: StoredUser, now: int) -> bool:
    """Seen in the last three minutes (gambit's stand-in for lichess's live connection)."""
    return user.seen_at is not None and user.seen_at > now - ONLINE_MS


def is_bot(user: StoredUser) -> bool:
    return user.title == BOT_TITLE


@dataclass(frozen=True, slots=True)
class Session:
    """What a successful register, login or refresh hands back."""

    user: StoredUser
    access_token: str
    refresh_token: str
    expires_in: int  # seconds
    expires_at: int  # unix seconds


class Accounts:
    def __init__(
        self,
        users: UserStore,
        passwords: Passwords,
        tokens: Tokens,
        guard: LoginGuard,
        refresh_days: int,
    ) -> None:
        self._users = users
        self._passwords = passwords
        self._tokens = tokens
        self._guard = guard
        self._refresh_ms = refresh_days * 86_400_000
        self._revocations = Revocations(users)
        self._api_tokens = ApiTokens(users, self._revocations)
        self._bots: set[str] = set()  # known bots: an upgrade is for good
        self._seen: dict[str, float] = {}  # user id -> when this process last noted it

    @property
    def api_tokens(self) -> ApiTokens:
        return self._api_tokens

    async def start(self) -> None:
        """Follow the revocations stored by every process (a server does; the CLI only
        stores them)."""
        await self._revocations.start()

    async def close(self) -> None:
        await self._revocations.close()

    # -- accounts -----------------------------------------------------------------

    async def create_user(self, username: str, email: str | None, password: str) -> StoredUser:
        """A new account; the rules are checked here too, for callers other than the API."""
        user = await self._new_user(username, email, password)
        with _names_unique():
            await self._users.add(user)
        return user

    async def register(self, username: str, email: str | None, password: str) -> Session:
        """A new account, signed in."""
        user = await self._new_user(username, email, password)
        refresh_token, login = self._new_refresh_token(user.id, str(uuid.uuid4()))
        with _names_unique():
            await self._users.add(user, login)
        return self._session(user, refresh_token, login.family_id)

    async def login(self, identifier: str, password: str, address: str) -> Session:
        """A new session for the right password; one message for every wrong credential."""
        account = identifier.lower()
        await self._guard.before_attempt(account, address)
        user = await self._users.find(identifier)
        if not await self._passwords.verify(user.password_hash if user else None, password):
            log.info("failed sign-in as %s from %s", account, address)
            await self._guard.failed(account, address)
            raise Unauthorized(WRONG_CREDENTIALS)
        assert user is not None
        await self._guard.succeeded(account, address)
        user = replace(user, last_login_at=now_ms())
        refresh_token, login = self._new_refresh_token(user.id, str(uuid.uuid4()))
        await self._users.save(user, login=login)
        return self._session(user, refresh_token, login.family_id)

    async def refresh(self, refresh_token: str) -> Session:
        """Spend ``refresh_token`` for a new pair; a spent one revokes its whole login."""
        token_hash = secret_hash(refresh_token)
        token = await self._users.find_refresh_token(token_hash)
        user = None if token is None else await self._users.get(token.user_id)
        if token is None or user is None:
            raise Unauthorized("invalid refresh token")
        successor, login = self._new_refresh_token(user.id, token.family_id)
        spent, token = await self._users.spend_refresh_token(token_hash, now_ms(), login)
        if not spent:
            if token is not None and token.used_at is not None and not token.revoked:
                await self._sign_out(self._logins_of(user.id, only=token.family_id))
                raise Unauthorized(
                    "refresh token reused", "this login has been revoked; sign in again"
                )
            raise Unauthorized("refresh token expired or revoked", "sign in again")
        return self._session(user, successor, login.family_id)

    async def logout(self, claims: AccessClaims, refresh_token: str | None) -> None:
        """Revoke this access token and the login of ``refresh_token`` (or of the token);
        signing out with a personal API token revokes that token."""
        if claims.personal:
            await self._api_tokens.revoke(claims.user_id, claims.token_id)
            return
        session_id = claims.session_id
        if refresh_token:
            token = await self._users.find_refresh_token(secret_hash(refresh_token))
            if token is None or token.user_id != claims.user_id:
                raise Unauthorized("invalid refresh token")
            session_id = token.family_id
        await self._sign_out(
            self._logins_of(claims.user_id, only=session_id, token_ids=(claims.token_id,))
        )

    async def authenticate(self, token: str) -> AccessClaims:
        """The claims of a valid, unrevoked access token or personal API token; raises
        `Unauthorized` otherwise. The user is noted as seen."""
        claims = await self._identify(token)
        await self.seen(claims.user_id)
        return claims

    async def test_tokens(self, tokens: Sequence[str]) -> dict[str, TokenTest | None]:
        """For each token, what it is worth now, or None if it is worth nothing."""
        personal = await self._api_tokens.find(t for t in tokens if is_personal_token(t))
        tested: dict[str, TokenTest | None] = {}
        for token in tokens:
            if is_personal_token(token):
                tested[token] = personal.get(token)
                continue
            try:
                claims = await self._identify(token)
            except Unauthorized:
                tested[token] = None
                continue
            expires = None if claims.expires_at is None else claims.expires_at * 1000
            tested[token] = TokenTest(claims.username.lower(), SCOPES, expires)
        return tested

    async def seen(self, user_id: str) -> None:
        """Note that the user is here (at most once a minute per process): their
        requests do, and so should a stream they hold open, on each keep-alive."""
        now = time.monotonic()
        if self._seen.get(user_id, -SEEN_EVERY_SECONDS) + SEEN_EVERY_SECONDS > now:
            return
        self._seen[user_id] = now
        # Only a hint for "online": an outage must not refuse the request.
        with contextlib.suppress(StorageUnavailable):
            await self._users.touch(user_id, now_ms())

    # -- bots ----------------------------------------------------------------------

    async def upgrade_to_bot(self, claims: AccessClaims) -> None:
        """Make the caller's account a bot for good; refused once it has played."""
        user = await self.signed_in_user(claims)
        if not is_bot(user) and not await self._users.make_bot(user.id):
            raise InvalidRequest(HAS_PLAYED, "only an account that has never played can")
        self._bots.add(user.id)

    async def is_bot(self, user_id: str) -> bool:
        """True for a bot account (read once per process, as an upgrade is for good)."""
        if user_id in self._bots:
            return True
        user = await self._users.get(user_id)
        if user is None or not is_bot(user):
            return False
        self._bots.add(user_id)
        return True

    async def online_bots(self, limit: int) -> list[StoredUser]:
        return await self._users.bots(now_ms() - ONLINE_MS, limit)

    # -- profiles --------------------------------------------------------------------

    async def user(self, user_id: str) -> StoredUser:
        user = await self._users.get(user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        return user

    async def users(self, user_ids: Sequence[str]) -> list[StoredUser]:
        """The users of ``user_ids`` that exist, in no particular order."""
        return await self._users.get_many(user_ids)

    async def named(self, usernames: Sequence[str]) -> list[StoredUser]:
        """The users of these usernames (any case) that exist, in no particular order."""
        return await self._users.find_names(usernames)

    async def by_name(self, username: str) -> StoredUser:
        """The account called ``username`` (in any case); raises `NotFound`."""
        user = await self._users.find(username)
        if user is None or user.username.lower() != username.lower():
            raise NotFound(f"no user {username!r}")
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
        sign_out = None
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
            sign_out = self._logins_of(user.id, keep=claims.session_id)
        await self._save(user, sign_out)
        return user

    # -- operators (the CLI) -------------------------------------------------------

    async def all_users(self) -> list[StoredUser]:
        return await self._users.all()

    async def check_new_user(self, username: str, email: str | None) -> None:
        """Refuse, as `create_user` would, a username or email that is invalid or taken:
        before anyone is asked for a password."""
        _check_username(username)
        email = self._email(email)
        for field, value in (("username", username), ("email", email)):
            if value is not None and await self._users.find(value) is not None:
                raise Conflict(f"{field} already taken", f"choose another {field}")

    async def find_user(self, identifier: str) -> StoredUser:
        """The user whose username or email is ``identifier``; raises `NotFound`."""
        user = await self._users.find(identifier)
        if user is None:
            raise NotFound(f"no user {identifier!r}")
        return user

    async def set_password(self, identifier: str, password: str) -> StoredUser:
        user = await self.find_user(identifier)
        user = replace(user, password_hash=await self._hashed(password))
        await self._save(user, self._logins_of(user.id))
        return user

    async def set_email(self, identifier: str, email: str | None) -> StoredUser:
        user = replace(await self.find_user(identifier), email=self._email(email))
        await self._save(user)
        return user

    async def delete_user(self, identifier: str) -> StoredUser:
        user = await self.find_user(identifier)
        until = self._revoke_until()
        self._revocations.add(await self._users.delete(user.id, until), until)
        return user

    # -- internals -------------------------------------------------------------------

    async def _identify(self, token: str) -> AccessClaims:
        if is_personal_token(token):
            claims = await self._api_tokens.identify(token)
        else:
            claims = self._tokens.decode(token)
            if claims.scope is not None:
                raise Unauthorized("not a user's token", "operator tokens serve /system alone")
        if self._revocations.refuses(claims):
            raise Unauthorized("token revoked", "sign in again")
        return claims

    async def _new_user(self, username: str, email: str | None, password: str) -> StoredUser:
        _check_username(username)
        password_hash = await self._hashed(password)
        return StoredUser(
            id=str(uuid.uuid4()),
            username=username,
            email=self._email(email),
            password_hash=password_hash,
            display_name=None,
            created_at=now_ms(),
            last_login_at=None,
        )

    async def _hashed(self, password: str) -> str:
        if problem := password_problem(password):
            raise InvalidRequest("validation failed", f"Password {problem}")
        return await self._passwords.hash(password)

    async def _save(self, user: StoredUser, sign_out: SignOut | None = None) -> None:
        with _names_unique():
            keys = await self._users.save(user, sign_out=sign_out)
        if sign_out is not None:
            self._revocations.add(keys, sign_out.until)

    @staticmethod
    def _email(email: str | None) -> str | None:
        if email is None:
            return None
        try:
            return normalized_email(email)
        except ValueError as exc:
            raise InvalidRequest("validation failed", f"Email {exc}") from None

    def _new_refresh_token(self, user_id: str, session_id: str) -> tuple[str, NewRefreshToken]:
        """A refresh token of the login ``session_id``, and what is stored of it."""
        refresh_token, token_hash = new_refresh_token()
        created = now_ms()
        stored = NewRefreshToken(
            token_hash, session_id, user_id, created, created + self._refresh_ms
        )
        return refresh_token, stored

    def _session(self, user: StoredUser, refresh_token: str, session_id: str) -> Session:
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

    def _revoke_until(self) -> int:
        """When every access token issued so far has expired (unix seconds)."""
        return int(time.time()) + self._tokens.access_seconds

    def _logins_of(
        self,
        user_id: str,
        *,
        only: str | None = None,
        keep: str | None = None,
        token_ids: tuple[str, ...] = (),
    ) -> SignOut:
        """The logins of ``user_id`` to end (just ``only``, or all but ``keep``)."""
        return SignOut(user_id, self._revoke_until(), only=only, keep=keep, token_ids=token_ids)

    async def _sign_out(self, sign_out: SignOut) -> None:
        self._revocations.add(await self._users.sign_out(sign_out), sign_out.until)


def _check_username(username: str) -> None:
    if not valid_username(username):
        raise InvalidRequest("validation failed", "Username must be 1-40 letters, digits or _")


@contextmanager
def _names_unique() -> Iterator[None]:
    """A taken username or email, as the service's refusal."""
    try:
        yield
    except DuplicateUser as exc:
        raise Conflict(f"{exc.field} already taken", f"choose another {exc.field}") from None
