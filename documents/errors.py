"""Errors raised by the services; the REST API maps each to its HTTP status."""


class PageError(Exception):
    """A request about a page that cannot be carried out."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(PageError):
    """The input is wrong in itself (unknown parent, a cycle, an empty title)."""

    status = 400


class Conflict(PageError):
    """The input is fine but the page's current state does not allow it."""

    status = 409


class Gone(PageError):
    """The page exists but is in the trash."""

    status = 410
