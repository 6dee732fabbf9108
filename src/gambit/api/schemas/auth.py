"""Bodies of the auth endpoints: both seeds' fields in one superset (DESIGN.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from gambit.api.schemas.common import JsonModel, rule_error
from gambit.services.accounts import (
    USERNAME_PATTERN,
    Session,
    normalized_email,
    password_problem,
    valid_username,
)
from gambit.store.users import StoredUser


def _username(value: str) -> str:
    if not valid_username(value):
        raise rule_error("must be 1-40 letters, digits or underscores")
    return value


def _password(value: str) -> str:
    if problem := password_problem(value):
        raise rule_error(problem)
    return value


def _email(value: str) -> str:
    if value == "":  # an empty email is no email
        return value
    try:
        return normalized_email(value)
    except ValueError as exc:
        raise rule_error(str(exc)) from None


Username = Annotated[
    str,
    AfterValidator(_username),
    Field(description="1–40 letters, digits or underscores.", pattern=USERNAME_PATTERN),
]
NewPassword = Annotated[
    str,
    AfterValidator(_password),
    Field(description="At least 8 characters, with a letter and a digit.", max_length=1024),
]
Email = Annotated[str, AfterValidator(_email), Field(description="A valid email address.")]


def iso(epoch_ms: int | None) -> str | None:
    """Epoch milliseconds as ISO 8601 in UTC, as seed 003 writes times."""
    if epoch_ms is None:
        return None
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat().replace("+00:00", "Z")


class RegisterRequest(JsonModel):
    username: Username
    email: Email | None = Field(None, description="Optional; a second name to sign in with.")
    password: NewPassword

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"username": "alice", "email": "alice@example.com", "password": "SecurePass123"}
            ]
        }
    )


class LoginRequest(JsonModel):
    identifier: str | None = Field(None, max_length=254, description="Username or email.")
    username: str | None = Field(None, max_length=254, description="Same as `identifier`.")
    password: str = Field(max_length=1024, description="The password.")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"identifier": "alice", "password": "SecurePass123"}]}
    )

    @model_validator(mode="after")
    def _one_identifier(self) -> LoginRequest:
        if not (self.identifier or self.username):
            raise rule_error("is required")
        return self

    @property
    def login(self) -> str:
        return self.identifier or self.username or ""


class RefreshRequest(JsonModel):
    refreshToken: str = Field(
        max_length=256, description="The `refreshToken` of your last sign-in or refresh."
    )

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"refreshToken": "paste-your-refresh-token-here"}]}
    )


class LogoutRequest(JsonModel):
    refreshToken: str | None = Field(
        None, max_length=256, description="Sign out the login of this refresh token instead."
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{}]})


class AuthResponse(BaseModel):
    token: str = Field(description="The access token (a JWT) for `Authorization: Bearer`.")
    refreshToken: str = Field(description="Spend it at `/auth/refresh` for a new pair.")
    expiresIn: int = Field(description="Seconds the access token lives.")
    expiresAt: str = Field(description="When the access token expires, ISO 8601.")
    userId: str = Field(description="Your user id.")
    username: str
    email: str | None

    @classmethod
    def of(cls, session: Session) -> AuthResponse:
        return cls(
            token=session.access_token,
            refreshToken=session.refresh_token,
            expiresIn=session.expires_in,
            expiresAt=iso(session.expires_at * 1000) or "",
            userId=session.user.id,
            username=session.user.username,
            email=session.user.email,
        )


class OAuth2Token(BaseModel):
    """The OAuth2 password-flow answer of ``POST /token``."""

    access_token: str = Field(description="The access token for `Authorization: Bearer`.")
    token_type: str = Field("bearer", description="Always `bearer`.")
    expires_in: int = Field(description="Seconds the access token lives.")
    refresh_token: str = Field(description="Spend it at `/auth/refresh` for a new pair.")


class Me(BaseModel):
    userId: str
    username: str
    email: str | None
    createdAt: str = Field(description="When the account was made, ISO 8601.")

    @classmethod
    def of(cls, user: StoredUser) -> Me:
        return cls(
            userId=user.id,
            username=user.username,
            email=user.email,
            createdAt=iso(user.created_at) or "",
        )
