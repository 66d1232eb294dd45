"""Who holds a store: the serving process's lease, and the write lock with its holder named.

The embedded Chroma store belongs to one process at a time. While `qa serve` runs, it holds the store's lease
(an OS lock on `serve.lock`, released by the OS if the process dies) and records beside it how to reach it
(`server.json`: PID, URL and a key readable only by the store's owner); other commands find it there and send
their writes and questions to it over HTTP. Writers within one process, or without a server, take the write
lock; one that must wait says who holds it within a second.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from index.errors import QAError

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5


@dataclass(frozen=True)
class Holder:
    """A process that holds a store (or its write lock)."""

    pid: int
    what: str  # "qa serve on http://127.0.0.1:7860", "qa index", ...
    url: str | None = None
    key: str | None = None  # the server's key for commands that send it work (never shown)
    since: float = 0.0

    def describe(self) -> str:
        return f"PID {self.pid} ({self.what})"


class StoreBusy(QAError):
    """Another process, or another write in this one, holds the store; try again later."""

    def __init__(self, holder: Holder | None) -> None:
        who = holder.describe() if holder else "another process"
        super().__init__(f"store in use by {who}: try again in a few seconds")
        self.holder = holder
        self.retry_after = RETRY_AFTER_S


def _read(path: Path) -> Holder | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Holder(**data)
    except (OSError, ValueError, TypeError):
        return None


def _write(path: Path, holder: Holder) -> None:
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the key is the owner's alone
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(asdict(holder), out)
    os.replace(partial, path)


@contextmanager
def write_lock(folder: Path, what: str, wait: bool = True) -> Iterator[None]:
    """Hold the store's write lock for the block.

    Args:
        what: how the holder is named to those who wait ("qa index").
        wait: wait for the lock (saying who holds it after a second), or raise at once.

    Raises:
        StoreBusy: the lock is held and `wait` is False.
    """
    lock = FileLock(str(folder / "write.lock"))
    info = folder / "write.lock.json"
    try:
        lock.acquire(timeout=1.0 if wait else 0)
    except Timeout:
        holder = _read(info)
        if not wait:
            raise StoreBusy(holder) from None
        log.warning(
            "store in use by %s; waiting for it to finish", holder.describe() if holder else "another process"
        )
        lock.acquire()
    try:
        _write(info, Holder(os.getpid(), what, since=time.time()))
        yield
    finally:
        info.unlink(missing_ok=True)
        lock.release()


class ServerLease:
    """Held by a serving process for its lifetime: a second server on the store is refused, naming this one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = FileLock(str(folder / "serve.lock"))
        self.key = secrets.token_urlsafe(32)

    def acquire(self, url: str) -> Holder:
        """Take the lease and record how to reach this server.

        Raises:
            StoreBusy: another live server holds the store.
        """
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise StoreBusy(_read(self.folder / "server.json")) from None
        holder = Holder(os.getpid(), f"qa serve on {url}", url=url, key=self.key, since=time.time())
        _write(self.folder / "server.json", holder)
        return holder

    def release(self) -> None:
        if self._lock.is_locked:
            (self.folder / "server.json").unlink(missing_ok=True)
            self._lock.release()


def live_server(folder: Path) -> Holder | None:
    """The server that holds this store, if one is running (a record left by a dead one is removed)."""
    record = folder / "server.json"
    if not record.exists():
        return None
    probe = FileLock(str(folder / "serve.lock"))
    try:
        probe.acquire(timeout=0)
    except Timeout:
        return _read(record)
    try:
        record.unlink(missing_ok=True)  # its server died without cleaning up
    finally:
        probe.release()
    return None
