"""The error envelope and the handlers that give every failure its status and code."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gambit.api.validation import describe_errors
from gambit.services import errors as service
from gambit.store.errors import StorageUnavailable, is_outage

log = logging.getLogger(__name__)

ErrorTable = Mapping[type[service.ServiceError], tuple[int, str]]
"""How one API face reports each service error: HTTP status and code."""

_ACCOUNT_ERRORS: dict[type[service.ServiceError], tuple[int, str]] = {
    service.Unauthorized: (401, "UNAUTHORIZED"),
    service.Forbidden: (403, "FORBIDDEN"),
    service.Conflict: (409, "CONFLICT"),
    service.TooManyAttempts: (429, "RATE_LIMIT_EXCEEDED"),
}

BATTLE_ERRORS: ErrorTable = _ACCOUNT_ERRORS | {
    service.NotFound: (404, "NOT_FOUND"),
    service.InvalidRequest: (400, "INVALID_REQUEST"),
    service.InvalidStart: (400, "INVALID_REQUEST"),
    service.IllegalAction: (400, "INVALID_ACTION"),
    service.GameOver: (400, "GAME_OVER"),
    service.NotHumanTurn: (409, "NOT_YOUR_TURN"),
    service.NotYourTurn: (409, "NOT_YOUR_TURN"),
    service.Busy: (409, "NOT_YOUR_TURN"),
    service.EngineFailed: (503, "ENGINE_ERROR"),
}

BATTLE_FACE_ERRORS: ErrorTable = {
    **BATTLE_ERRORS,
    service.NotFound: (404, "BATTLE_NOT_FOUND"),
}

CHESS_ERRORS: ErrorTable = _ACCOUNT_ERRORS | {
    service.NotFound: (404, "GAME_NOT_FOUND"),
    service.InvalidRequest: (400, "INVALID_REQUEST"),
    service.InvalidStart: (400, "INVALID_FEN"),
    service.IllegalAction: (400, "INVALID_MOVE"),
    service.GameOver: (400, "GAME_OVER"),
    service.NotHumanTurn: (400, "NOT_HUMAN_TURN"),
    service.NotYourTurn: (400, "NOT_HUMAN_TURN"),
    service.Busy: (400, "NOT_HUMAN_TURN"),
}

_HTTP_CODES = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "INVALID_CONTENT_TYPE",
    429: "RATE_LIMIT_EXCEEDED",
}
# Where the standard phrase is not what a person should read (Python's 413 is still
# "Request Entity Too Large", while the body limit itself spoke of content).
_HTTP_TEXTS = {413: "request body too large"}


class ApiError(Exception):
    """An error the transport layer raises itself (content type, limits, ids)."""

    def __init__(
        self,
        status: int,
        code: str,
        error: str,
        details: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.code = code
        self.error = error
        self.details = details
        self.headers = dict(headers or {})


def error_body(code: str, error: str, details: str = "") -> dict[str, Any]:
    return {"error": error, "message": error, "code": code, "details": details}


def error_response(
    status: int, code: str, error: str, details: str = "", headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, error, details), status_code=status, headers=headers)


def http_error_response(
    status: int, details: str = "", headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A plain HTTP refusal (404, 405, 413, ...): the code and words of its status,
    the same wherever it is answered from."""
    text = _HTTP_TEXTS.get(status) or HTTPStatus(status).phrase.lower()
    return error_response(
        status, _HTTP_CODES.get(status, "INVALID_REQUEST"), text, details, headers
    )


def status_and_code(table: ErrorTable, exc: service.ServiceError) -> tuple[int, str]:
    """The HTTP status and error code of a service error on one face."""
    return next(table[kind] for kind in type(exc).__mro__ if kind in table)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(service.ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(StorageUnavailable, _storage_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.error, exc.details, exc.headers)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, service.ServiceError)
    table: ErrorTable = getattr(request.scope.get("route"), "service_errors", BATTLE_ERRORS)
    status, code = status_and_code(table, exc)
    headers = {}
    if isinstance(exc, service.Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, service.TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    return error_response(status, code, exc.message, exc.details, headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    error, details = describe_errors(exc.errors(), exc.body)
    return error_response(400, "INVALID_REQUEST", error, details)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    phrase = HTTPStatus(exc.status_code).phrase.lower()
    details = exc.detail if isinstance(exc.detail, str) and exc.detail.lower() != phrase else ""
    return http_error_response(exc.status_code, details, exc.headers)


async def _storage_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StorageUnavailable)
    return _refused_for_storage(exc.retry_after, str(exc))


def _refused_for_storage(retry_after: int, reason: str) -> JSONResponse:
    return error_response(
        503,
        "STORAGE_UNAVAILABLE",
        "the change could not be stored; nothing was changed",
        f"{reason}; retry in {retry_after} s",
        {"Retry-After": str(retry_after)},
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    if is_outage(exc):
        # A database failure the store did not translate: still a refusal, not a crash.
        log.warning("storage failed on %s %s: %s", request.method, request.url.path, exc)
        return _refused_for_storage(StorageUnavailable().retry_after, "the database failed")
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "INTERNAL_ERROR", "internal server error")
