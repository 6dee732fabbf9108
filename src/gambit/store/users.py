"""Persisting accounts, refresh tokens, personal API tokens and revoked tokens.

Unlike battle actions these writes are rare, so each is its own short transaction, and
what one request changes is one transaction: a registration and its first login, a
password and the logins it ends, a spent refresh token and its successor are stored
together or not at all. Uniqueness of names and emails is the database's job: two
registrations racing for one name both reach the insert, and the unique index lets
exactly one through. A database that cannot be reached (or a SQLite file locked for too
long) raises `StorageUnavailable`, whatever the method.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gambit.store.errors import refusing_outages
from gambit.store.models import (
    ApiTokenRow,
    BattlePlayerRow,
    RefreshTokenRow,
    RevocationRow,
    UserRow,
)

BOT_TITLE = "BOT"


def token_key(token_id: str) -> str:
    """The revocation of one access token (its ``jti``), or of a personal API token (its id)."""
    return f"jti:{token_id}"


def login_key(session_id: str) -> str:
    """The revocation of a whole login (the ``sid`` of its access tokens)."""
    return f"sid:{session_id}"


class DuplicateUser(Exception):
    """The username or email is taken; ``field`` says which."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field} is taken")
        self.field = field


@dataclass(frozen=True, slots=True)
class StoredUser:
    id: str
    username: str
    email: str | None
    password_hash: str
    display_name: str | None
    created_at: int
    last_login_at: int | None
    # Written only by their own methods (`make_bot`, `touch`), never by `save`, so that
    # saving a profile read earlier cannot undo an upgrade to a bot.
    title: str | None = None
    seen_at: int | None = None  # epoch ms of the last request, to the nearest minute


@dataclass(frozen=True, slots=True)
class StoredApiToken:
    """A personal API token as stored (never the token itself); times in epoch ms."""

    id: str
    user_id: str
    description: str
    scopes: tuple[str, ...]
    created_at: int
    expires_at: int | None
    last_used_at: int | None


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """A personal API token with the name and email of its user, for authenticating."""

    token: StoredApiToken
    username: str
    email: str | None


@dataclass(frozen=True, slots=True)
class StoredRefreshToken:
    family_id: str
    user_id: str
    expires_at: int
    used_at: int | None
    revoked: bool


@dataclass(frozen=True, slots=True)
class NewRefreshToken:
    """A refresh token to store, as its hash, in the login ``family_id``; times in ms."""

    token_hash: str
    family_id: str
    user_id: str
    created_at: int
    expires_at: int


@dataclass(frozen=True, slots=True)
class SignOut:
    """Logins of ``user_id`` to end: just ``only``, or all but ``keep``. Their refresh
    tokens are revoked; their access tokens, and those of ``token_ids``, are refused until
    ``until`` (unix seconds), by when all of them have expired."""

    user_id: str
    until: int
    only: str | None = None
    keep: str | None = None
    token_ids: tuple[str, ...] = ()


class UserStore:
    """Accounts and their tokens in the database (an in-memory SQLite one without storage)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, user: StoredUser, login: NewRefreshToken | None = None) -> None:
        """Insert ``user`` (signed in with ``login``); raises `DuplicateUser` if its name or
        email is taken."""
        values = _user_values(user) | {"id": user.id, "created_at": user.created_at}
        try:
            async with self._transaction() as connection:
                await connection.execute(insert(UserRow), values)
                if login is not None:
                    await _add_refresh_token(connection, login)
        except IntegrityError:
            raise DuplicateUser(await self._taken_field(user.username, user.email)) from None

    async def get(self, user_id: str) -> StoredUser | None:
        return await self._one(UserRow.id == user_id)

    async def find(self, identifier: str) -> StoredUser | None:
        """The user whose username or email is ``identifier``, ignoring case."""
        key = identifier.lower()
        return await self._one(or_(UserRow.username_key == key, UserRow.email_key == key))

    async def all(self) -> list[StoredUser]:
        async with self._transaction() as connection:
            rows = await connection.execute(select(UserRow).order_by(UserRow.created_at))
            return [_user(row) for row in rows]

    async def save(
        self,
        user: StoredUser,
        *,
        login: NewRefreshToken | None = None,
        sign_out: SignOut | None = None,
    ) -> list[str]:
        """Store the changed fields of ``user``, with a new ``login`` or ending logins;
        returns the revocation keys stored. Raises `DuplicateUser` for a taken email."""
        try:
            async with self._transaction() as connection:
                await connection.execute(
                    update(UserRow).where(UserRow.id == user.id).values(_user_values(user))
                )
                if login is not None:
                    await _add_refresh_token(connection, login)
                return [] if sign_out is None else await _sign_out(connection, sign_out)
        except IntegrityError:
            raise DuplicateUser(await self._taken_field(None, user.email)) from None

    async def delete(self, user_id: str, revoke_until: int) -> list[str]:
        """Delete the user and their refresh and API tokens, refusing the access tokens of
        their logins and their API tokens until ``revoke_until``; returns the revocation
        keys stored."""
        async with self._transaction() as connection:
            keys = await _sign_out(connection, SignOut(user_id, revoke_until))
            api_tokens = await connection.execute(
                select(ApiTokenRow.id).where(ApiTokenRow.user_id == user_id)
            )
            api_keys = [token_key(row.id) for row in api_tokens]
            await _add_revocations(connection, api_keys, revoke_until)
            keys += api_keys
            await connection.execute(
                delete(RefreshTokenRow).where(RefreshTokenRow.user_id == user_id)
            )
            await connection.execute(delete(UserRow).where(UserRow.id == user_id))
            return keys

    async def get_many(self, user_ids: Sequence[str]) -> list[StoredUser]:
        if not user_ids:
            return []
        async with self._transaction() as connection:
            rows = await connection.execute(select(UserRow).where(UserRow.id.in_(user_ids)))
            return [_user(row) for row in rows]

    async def find_names(self, usernames: Sequence[str]) -> list[StoredUser]:
        """The users with these usernames, ignoring case; unknown names are left out."""
        if not usernames:
            return []
        keys = [name.lower() for name in usernames]
        async with self._transaction() as connection:
            rows = await connection.execute(select(UserRow).where(UserRow.username_key.in_(keys)))
            return [_user(row) for row in rows]

    async def bots(self, seen_since: int, limit: int) -> list[StoredUser]:
        """Bot accounts seen at ``seen_since`` (epoch ms) or later, most recently seen first."""
        chosen = (
            select(UserRow)
            .where(UserRow.title == BOT_TITLE, UserRow.seen_at >= seen_since)
            .order_by(UserRow.seen_at.desc(), UserRow.id)
            .limit(limit)
        )
        async with self._transaction() as connection:
            return [_user(row) for row in await connection.execute(chosen)]

    async def make_bot(self, user_id: str) -> bool:
        """Title the user ``BOT`` if they have no seat in any battle; False if they have."""
        seated = exists().where(BattlePlayerRow.user_id == user_id)
        async with self._transaction() as connection:
            done = await connection.execute(
                update(UserRow).where(UserRow.id == user_id, ~seated).values(title=BOT_TITLE)
            )
            return bool(done.rowcount)

    async def touch(self, user_id: str, now: int) -> None:
        """Note that the user was seen at ``now`` (epoch ms)."""
        async with self._transaction() as connection:
            await connection.execute(
                update(UserRow).where(UserRow.id == user_id).values(seen_at=now)
            )

    # -- personal API tokens -------------------------------------------------------

    async def add_api_token(self, token: StoredApiToken, token_hash: str) -> None:
        async with self._transaction() as connection:
            await connection.execute(
                insert(ApiTokenRow),
                {
                    "id": token.id,
                    "token_hash": token_hash,
                    "user_id": token.user_id,
                    "description": token.description,
                    "scopes": list(token.scopes),
                    "created_at": token.created_at,
                    "expires_at": token.expires_at,
                    "last_used_at": token.last_used_at,
                },
            )

    async def api_tokens(self, user_id: str) -> list[StoredApiToken]:
        """The user's API tokens, oldest first."""
        chosen = (
            select(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_id)
            .order_by(ApiTokenRow.created_at, ApiTokenRow.id)
        )
        async with self._transaction() as connection:
            return [_api_token(row) for row in await connection.execute(chosen)]

    async def use_api_token(self, token_hash: str, now: int) -> TokenOwner | None:
        """The token stored under ``token_hash`` with its user, marked used at ``now``."""
        chosen = (
            select(ApiTokenRow, UserRow.username, UserRow.email)
            .join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(ApiTokenRow.token_hash == token_hash)
        )
        async with self._transaction() as connection:
            row = (await connection.execute(chosen)).first()
            if row is None:
                return None
            await connection.execute(
                update(ApiTokenRow).where(ApiTokenRow.id == row.id).values(last_used_at=now)
            )
        return TokenOwner(_api_token(row), row.username, row.email)

    async def find_api_tokens(self, token_hashes: Sequence[str]) -> dict[str, TokenOwner]:
        """The tokens stored under these hashes, by hash, with their users."""
        if not token_hashes:
            return {}
        chosen = (
            select(ApiTokenRow, UserRow.username, UserRow.email)
            .join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(ApiTokenRow.token_hash.in_(token_hashes))
        )
        async with self._transaction() as connection:
            return {
                row.token_hash: TokenOwner(_api_token(row), row.username, row.email)
                for row in await connection.execute(chosen)
            }

    async def delete_api_token(self, user_id: str, token_id: str, revoke_until: int) -> bool:
        """Delete the user's token ``token_id``, refusing it until ``revoke_until`` in the
        processes that may still hold it; False if the user has no such token."""
        async with self._transaction() as connection:
            deleted = await connection.execute(
                delete(ApiTokenRow).where(
                    ApiTokenRow.id == token_id, ApiTokenRow.user_id == user_id
                )
            )
            if not deleted.rowcount:
                return False
            await _add_revocations(connection, [token_key(token_id)], revoke_until)
            return True

    async def spend_refresh_token(
        self, token_hash: str, now: int, successor: NewRefreshToken
    ) -> tuple[bool, StoredRefreshToken | None]:
        """Mark a live refresh token used and store its ``successor``, atomically:
        ``(True, token)`` for the one caller that spent it, ``(False, token)`` for a token
        already spent, revoked or expired, ``(False, None)`` for an unknown one."""
        async with self._transaction() as connection:
            spent = await connection.execute(
                update(RefreshTokenRow)
                .where(
                    RefreshTokenRow.token_hash == token_hash,
                    RefreshTokenRow.used_at.is_(None),
                    RefreshTokenRow.revoked.is_(False),
                    RefreshTokenRow.expires_at > now,
                )
                .values(used_at=now)
            )
            if spent.rowcount:
                await _add_refresh_token(connection, successor)
            row = (
                await connection.execute(
                    select(RefreshTokenRow).where(RefreshTokenRow.token_hash == token_hash)
                )
            ).first()
        token = None if row is None else _refresh_token(row)
        return bool(spent.rowcount), token

    async def find_refresh_token(self, token_hash: str) -> StoredRefreshToken | None:
        async with self._transaction() as connection:
            row = (
                await connection.execute(
                    select(RefreshTokenRow).where(RefreshTokenRow.token_hash == token_hash)
                )
            ).first()
        return None if row is None else _refresh_token(row)

    async def sign_out(self, sign_out: SignOut) -> list[str]:
        """End the logins of ``sign_out``; returns the revocation keys stored."""
        async with self._transaction() as connection:
            return await _sign_out(connection, sign_out)

    async def revocations(self) -> dict[str, int]:
        """Every stored revocation key with its expiry (unix seconds), expired ones too."""
        async with self._transaction() as connection:
            rows = await connection.execute(select(RevocationRow.key, RevocationRow.expires_at))
            return {row.key: row.expires_at for row in rows}

    async def delete_revocations(self, expired_at: int) -> None:
        """Delete the revocations that expire at ``expired_at`` or before."""
        async with self._transaction() as connection:
            await connection.execute(
                delete(RevocationRow).where(RevocationRow.expires_at <= expired_at)
            )

    def _transaction(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A transaction, committed on leaving; an outage becomes `StorageUnavailable`."""
        return refusing_outages(self._engine.begin(), "take the change")

    async def _one(self, condition: Any) -> StoredUser | None:
        async with self._transaction() as connection:
            row = (await connection.execute(select(UserRow).where(condition))).first()
        return None if row is None else _user(row)

    async def _taken_field(self, username: str | None, email: str | None) -> str:
        if username is not None and await self._one(UserRow.username_key == username.lower()):
            return "username"
        if email is not None and await self._one(UserRow.email_key == email.lower()):
            return "email"
        return "username" if username is not None else "email"


async def _add_refresh_token(connection: AsyncConnection, token: NewRefreshToken) -> None:
    await connection.execute(
        insert(RefreshTokenRow),
        {
            "token_hash": token.token_hash,
            "family_id": token.family_id,
            "user_id": token.user_id,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
            "used_at": None,
            "revoked": False,
        },
    )


async def _sign_out(connection: AsyncConnection, sign_out: SignOut) -> list[str]:
    condition = [RefreshTokenRow.user_id == sign_out.user_id, RefreshTokenRow.revoked.is_(False)]
    if sign_out.only is not None:
        condition.append(RefreshTokenRow.family_id == sign_out.only)
    if sign_out.keep is not None:
        condition.append(RefreshTokenRow.family_id != sign_out.keep)
    families = await connection.execute(
        select(RefreshTokenRow.family_id).where(*condition).distinct()
    )
    # A login already revoked had its access tokens refused then.
    sessions = {row.family_id for row in families}
    if sign_out.only is not None:
        sessions.add(sign_out.only)
    await connection.execute(update(RefreshTokenRow).where(*condition).values(revoked=True))
    keys = [login_key(session) for session in sorted(sessions)]
    keys += [token_key(token_id) for token_id in sign_out.token_ids]
    await _add_revocations(connection, keys, sign_out.until)
    return keys


async def _add_revocations(connection: AsyncConnection, keys: Sequence[str], until: int) -> None:
    """Insert the keys; one already there (revoked by another process too) stays as it is."""
    if not keys:
        return
    rows = [{"key": key, "expires_at": until} for key in keys]
    if connection.dialect.name == "postgresql":
        statement: Any = postgresql.insert(RevocationRow).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(RevocationRow).on_conflict_do_nothing()
    await connection.execute(statement, rows)


def _user_values(user: StoredUser) -> dict[str, Any]:
    return {
        "username": user.username,
        "username_key": user.username.lower(),
        "email": user.email,
        "email_key": user.email.lower() if user.email else None,
        "password_hash": user.password_hash,
        "display_name": user.display_name,
        "last_login_at": user.last_login_at,
    }


def _user(row: Any) -> StoredUser:
    return StoredUser(
        id=row.id,
        username=row.username,
        email=row.email,
        password_hash=row.password_hash,
        display_name=row.display_name,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
        title=row.title,
        seen_at=row.seen_at,
    )


def _api_token(row: Any) -> StoredApiToken:
    return StoredApiToken(
        id=row.id,
        user_id=row.user_id,
        description=row.description,
        scopes=tuple(row.scopes),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


def _refresh_token(row: Any) -> StoredRefreshToken:
    return StoredRefreshToken(
        family_id=row.family_id,
        user_id=row.user_id,
        expires_at=row.expires_at,
        used_at=row.used_at,
        revoked=row.revoked,
    )
