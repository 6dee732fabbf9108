"""Persisting accounts, refresh tokens and revoked tokens.

Unlike battle actions these writes are rare, so each is its own short transaction.
Uniqueness of names and emails is the database's job: two registrations racing for one
name both reach the insert, and the unique index lets exactly one through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from gambit.store.models import RefreshTokenRow, RevocationRow, UserRow


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


@dataclass(frozen=True, slots=True)
class StoredRefreshToken:
    family_id: str
    user_id: str
    expires_at: int
    used_at: int | None
    revoked: bool


class UserStore:
    """Accounts and their tokens in the database (an in-memory SQLite one without storage)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, user: StoredUser) -> None:
        """Insert ``user``; raises `DuplicateUser` if its name or email is taken."""
        values = _user_values(user) | {"id": user.id, "created_at": user.created_at}
        try:
            async with self._engine.begin() as connection:
                await connection.execute(insert(UserRow), values)
        except IntegrityError:
            raise DuplicateUser(await self._taken_field(user.username, user.email)) from None

    async def get(self, user_id: str) -> StoredUser | None:
        return await self._one(UserRow.id == user_id)

    async def find(self, identifier: str) -> StoredUser | None:
        """The user whose username or email is ``identifier``, ignoring case."""
        key = identifier.lower()
        return await self._one(or_(UserRow.username_key == key, UserRow.email_key == key))

    async def all(self) -> list[StoredUser]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(select(UserRow).order_by(UserRow.created_at))
            return [_user(row) for row in rows]

    async def save(self, user: StoredUser) -> None:
        """Store the changed fields of ``user``; raises `DuplicateUser` for a taken email."""
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    update(UserRow).where(UserRow.id == user.id).values(_user_values(user))
                )
        except IntegrityError:
            raise DuplicateUser(await self._taken_field(None, user.email)) from None

    async def delete(self, user_id: str) -> bool:
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(RefreshTokenRow).where(RefreshTokenRow.user_id == user_id)
            )
            result = await connection.execute(delete(UserRow).where(UserRow.id == user_id))
            return bool(result.rowcount)

    async def add_refresh_token(
        self, token_hash: str, family_id: str, user_id: str, created_at: int, expires_at: int
    ) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                insert(RefreshTokenRow),
                {
                    "token_hash": token_hash,
                    "family_id": family_id,
                    "user_id": user_id,
                    "created_at": created_at,
                    "expires_at": expires_at,
                    "used_at": None,
                    "revoked": False,
                },
            )

    async def spend_refresh_token(
        self, token_hash: str, now: int
    ) -> tuple[bool, StoredRefreshToken | None]:
        """Mark a live refresh token used, atomically: ``(True, token)`` for the one caller
        that spent it, ``(False, token)`` for a token already spent, revoked or expired,
        ``(False, None)`` for an unknown one."""
        async with self._engine.begin() as connection:
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
            row = (
                await connection.execute(
                    select(RefreshTokenRow).where(RefreshTokenRow.token_hash == token_hash)
                )
            ).first()
        token = None if row is None else _refresh_token(row)
        return bool(spent.rowcount), token

    async def find_refresh_token(self, token_hash: str) -> StoredRefreshToken | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(RefreshTokenRow).where(RefreshTokenRow.token_hash == token_hash)
                )
            ).first()
        return None if row is None else _refresh_token(row)

    async def revoke_families(
        self, user_id: str, *, only: str | None = None, keep: str | None = None
    ) -> list[str]:
        """Revoke the user's logins (just ``only``, or all but ``keep``); returns their ids."""
        condition = [RefreshTokenRow.user_id == user_id]
        if only is not None:
            condition.append(RefreshTokenRow.family_id == only)
        if keep is not None:
            condition.append(RefreshTokenRow.family_id != keep)
        async with self._engine.begin() as connection:
            families = await connection.execute(
                select(RefreshTokenRow.family_id).where(*condition).distinct()
            )
            revoked = [row.family_id for row in families]
            await connection.execute(update(RefreshTokenRow).where(*condition).values(revoked=True))
        return revoked

    async def add_revocations(self, keys: Sequence[str], expires_at: int) -> None:
        if not keys:
            return
        async with self._engine.begin() as connection:
            for key in keys:
                already = await connection.execute(select(exists().where(RevocationRow.key == key)))
                if not already.scalar():
                    await connection.execute(
                        insert(RevocationRow), {"key": key, "expires_at": expires_at}
                    )

    async def live_revocations(self, now: int) -> set[str]:
        """Revocations that still matter; expired ones are deleted on the way."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(RevocationRow).where(RevocationRow.expires_at <= now))
            rows = await connection.execute(select(RevocationRow.key))
            return {row.key for row in rows}

    async def _one(self, condition: Any) -> StoredUser | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(UserRow).where(condition))).first()
        return None if row is None else _user(row)

    async def _taken_field(self, username: str | None, email: str | None) -> str:
        if username is not None and await self._one(UserRow.username_key == username.lower()):
            return "username"
        if email is not None and await self._one(UserRow.email_key == email.lower()):
            return "email"
        return "username" if username is not None else "email"


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
    )


def _refresh_token(row: Any) -> StoredRefreshToken:
    return StoredRefreshToken(
        family_id=row.family_id,
        user_id=row.user_id,
        expires_at=row.expires_at,
        used_at=row.used_at,
        revoked=row.revoked,
    )
