"""Domain errors. The web layer maps them to 401/403/404/409/422; messages are for people."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a service raises on purpose; ``message`` is Vietnamese, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthenticationFailed(DomainError):
    pass


class Forbidden(DomainError):
    pass


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    """The action no longer applies: someone else acted first, or the state moved on."""


class InvalidInput(DomainError):
    """Bad data; ``errors`` maps each field name to what was wrong with it."""

    def __init__(self, errors: dict[str, str], message: str = "Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.") -> None:
        super().__init__(message)
        self.errors = errors


class MalformedRequest(InvalidInput):
    """The request itself could not be read (not JSON, not an object)."""

    def __init__(self, message: str) -> None:
        super().__init__({"_schema": message}, message)
