"""Errors users can act on: their message is shown verbatim, never a stack trace."""


class QAError(Exception):
    """A problem the user can fix; the message says what and, where it can, how."""


class BadInput(QAError):
    """The request itself is wrong (empty question, bad setting): CLI exit 2, HTTP 422."""


class NotFound(QAError):
    """A document or passage that does not exist: HTTP 404."""


class LoadError(QAError):
    """One file could not be read; the others are still indexed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
