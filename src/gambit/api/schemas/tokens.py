"""Bodies of the personal API token endpoints (``/account/tokens``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from gambit.api.schemas.auth import iso
from gambit.api.schemas.common import JsonModel, rule_error
from gambit.services.api_tokens import DESCRIPTION_MAX_LENGTH, NewApiToken, valid_description
from gambit.services.tokens import SCOPES
from gambit.store.users import StoredApiToken

Scope = Literal[SCOPES]  # type: ignore[valid-type]  # lichess's scope names, one type


def _description(value: str) -> str:
    if not valid_description(value):
        raise rule_error(
            f"must be 1-{DESCRIPTION_MAX_LENGTH} printable characters without surrounding spaces"
        )
    return value


class NewTokenRequest(JsonModel):
    description: Annotated[str, AfterValidator(_description)] = Field(
        max_length=DESCRIPTION_MAX_LENGTH, description="What the token is for.", examples=["my bot"]
    )
    scopes: list[Scope] = Field(
        max_length=len(SCOPES),
        description="lichess's scope names. gambit checks `bot:play` (a bot's games), "
        "`board:play` (a person's games through the Board API), `challenge:read` and "
        "`challenge:write`; it takes the others as lichess-bot and berserk ask for them.",
    )
    expiresAt: AwareDatetime | None = Field(
        None,
        strict=False,  # JSON has no datetime: this one comes as text
        description="ISO 8601 with a time zone; the token never expires without it.",
    )

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"description": "my bot", "scopes": ["bot:play"]}]}
    )


class ApiTokenView(BaseModel):
    """A personal API token as listed: never the token itself."""

    id: str = Field(description="The id to revoke it by.")
    description: str
    scopes: list[str]
    createdAt: str = Field(description="ISO 8601.")
    expiresAt: str | None = Field(description="Null: it never expires.")
    lastUsedAt: str | None = Field(description="To the minute; null until first used.")

    @classmethod
    def of(cls, token: StoredApiToken) -> ApiTokenView:
        return cls(
            id=token.id,
            description=token.description,
            scopes=list(token.scopes),
            createdAt=iso(token.created_at) or "",
            expiresAt=iso(token.expires_at),
            lastUsedAt=iso(token.last_used_at),
        )


class NewApiTokenView(ApiTokenView):
    token: str = Field(description="The token, shown this once: `Authorization: Bearer <token>`.")

    @classmethod
    def of_new(cls, new: NewApiToken) -> NewApiTokenView:
        return cls(**ApiTokenView.of(new.stored).model_dump(), token=new.token)


class ApiTokenList(BaseModel):
    tokens: list[ApiTokenView] = Field(description="Oldest first.")
