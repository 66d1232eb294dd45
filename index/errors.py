"""Errors users can act on: their message is shown verbatim, never a stack trace."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class QAError(Exception):
    """A problem the user can fix; the message says what and, where it can, how."""


class BadInput(QAError):
    """The request itself is wrong (empty question, bad setting): CLI exit 2, HTTP 422."""


class NotFound(QAError):
    """A document or passage that does not exist: HTTP 404."""


class Stale(QAError):
    """A citation of a document that has changed since it was given: HTTP 409, CLI exit 1."""


class LoadError(QAError):
    """One file could not be read; the others are still indexed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreUnavailable(QAError):
    """The vector store failed or cannot be reached (a Chroma server that is down): HTTP 503, retry later."""

    retry_after = 5  # seconds, as the Retry-After header says


def reachable(method: F) -> F:
    """For methods that call Chroma: its own failures (a server that is down, a connection cut) become
    StoreUnavailable naming the store (`self.where`): HTTP 503 with a JSON error, never a stack trace."""

    @functools.wraps(method)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except QAError:
            raise
        except Exception as exc:
            logging.getLogger(__name__).debug("vector store call failed", exc_info=True)
            where = getattr(self, "where", "the vector store")
            raise StoreUnavailable(
                f"the vector store ({where}) failed: {type(exc).__name__}: {exc}"
            ) from None

    return guarded  # type: ignore[return-value]
