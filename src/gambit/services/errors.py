"""What can go wrong in a use case, independent of how the request arrived."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the rules or the battle's situation refuse; ``message`` is for the user."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(ServiceError):
    """No battle (or game) with that id."""


class InvalidRequest(ServiceError):
    """The request is well-formed but asks for something impossible (e.g. undo too far)."""


class InvalidStart(ServiceError):
    """The options cannot start a game, e.g. an illegal FEN."""


class IllegalAction(ServiceError):
    """The action (move) is not legal in the current state."""


class GameOver(ServiceError):
    """The battle has finished."""


class NotHumanTurn(ServiceError):
    """A human asked to act for a computer seat, or a computer move was asked of a human seat."""


class Busy(ServiceError):
    """An AI seat is thinking; the battle takes no other change until it has moved."""


class NotYourTurn(ServiceError):
    """The acting seat is not the one to move."""


class EngineFailed(ServiceError):
    """An AI engine could not answer an analysis request."""


class Unauthorized(ServiceError):
    """No valid credentials: wrong password, or a bad, expired or revoked token."""


class Forbidden(ServiceError):
    """Signed in, but this battle or game belongs to someone else."""


class Conflict(ServiceError):
    """The request clashes with what exists: a taken username or email, a full battle."""


class TooManyAttempts(ServiceError):
    """Too many failed logins; ``retry_after`` seconds until the next try is accepted."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, f"retry in {retry_after} s")
        self.retry_after = retry_after
