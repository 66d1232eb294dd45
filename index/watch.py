"""A folder kept indexed by itself: files added, changed, renamed and deleted are indexed or removed as they
happen (watchfiles: inotify, FSEvents or ReadDirectoryChangesW, polling where none works).

Changes are gathered until the folders have been quiet for a moment (`QUIET_MS`, at most `GATHER_MS`), then
handled as one batch: a hundred files copied in at once are one indexing run, not a hundred. A file still being
written (its size or modification time moving) waits for the next batch. A deleted file's documents are
removed in the batch that sees the deletion, so they are never cited after it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.build import Indexer, IndexReport
from index.errors import QAError
from index.store import Store

log = logging.getLogger(__name__)

GATHER_MS = 1000  # gather changes for at most this long ...
QUIET_MS = 300  # ... once the folders have been quiet this long
SETTLE_S = 0.3  # a file is read when its size and modification time held still this long


@dataclass
class WatchStatus:
    """What the watcher did last, for `/healthz` and the Documents tab."""

    folders: list[str] = field(default_factory=list)
    running: bool = False
    last_sync: float | None = None  # Unix time of the last completed batch
    batches: int = 0
    last: dict[str, object] = field(default_factory=dict)  # the last batch's report (IndexReport.to_dict)
    failed: list[dict[str, str]] = field(default_factory=list)  # the last batch's failures
    error: str | None = None  # why the watcher stopped, if it did

    def to_dict(self) -> dict[str, object]:
        return {
            "folders": self.folders,
            "running": self.running,
            "last_sync": self.last_sync,
            "batches": self.batches,
            "failed": self.failed,
            **({"error": self.error} if self.error else {}),
        }


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def settled(paths: Sequence[Path], wait: float = SETTLE_S) -> tuple[list[Path], list[Path]]:
    """(files whose size and modification time held still for `wait` seconds, files still being written)."""
    before = {p: _signature(p) for p in paths}
    time.sleep(wait)
    ready: list[Path] = []
    moving: list[Path] = []
    for p in paths:
        (ready if _signature(p) == before[p] else moving).append(p)
    return ready, moving


class Watcher:
    """Keeps a store in step with folders (see the module docstring). `run()` blocks until `stop()`."""

    def __init__(self, store: Store, indexer: Callable[[], Indexer], folders: Sequence[str | Path]) -> None:
        """Args:
        indexer: makes the Indexer each batch writes with (one that waits for other writers).
        """
        self.store = store
        self.indexer = indexer
        self.folders = [Path(f).resolve() for f in folders]
        missing = [str(f) for f in self.folders if not f.is_dir()]
        if missing:
            raise QAError(f"cannot watch {', '.join(missing)}: not a folder")
        self.status = WatchStatus(folders=[str(f) for f in self.folders])
        self._stop = threading.Event()
        self._pending: set[Path] = set()

    def stop(self) -> None:
        self._stop.set()

    def sync(self) -> IndexReport:
        """Remove documents whose files under the folders are gone, then index the folders whole."""
        gone = self._remove_gone()
        report = self.indexer().index_paths(self.folders)
        report.removed = gone + report.removed
        self._record(report)
        return report

    def batch(self, changed: Sequence[Path]) -> IndexReport | None:
        """Handle one batch of changed paths: index the files that are there and have settled, remove the
        documents of files that are gone. Returns the report, or None when there was nothing to do."""
        candidates = sorted({p for p in [*changed, *self._pending] if p.exists()})
        self._pending.clear()
        files = [p for p in candidates if p.is_file()]
        ready, moving = settled(files) if files else ([], [])
        self._pending.update(moving)  # still being written: the next batch takes them
        folders = [p for p in candidates if p.is_dir()]
        # Gone first: a file renamed is its old document removed, then its new one added (not a duplicate of
        # the old, which would leave nothing once the old one went).
        gone = self._remove_gone()
        report = self.indexer().index_paths([*ready, *folders]) if ready or folders else None
        if report is None:
            report = IndexReport(removed=gone)
            report.documents, report.chunks = self.store.manifest.counts()
        else:
            report.removed = gone + report.removed
        if not (report.changed or report.failed or report.duplicates):
            return None
        self._record(report)
        return report

    def _remove_gone(self) -> list[str]:
        """Remove the documents of files under the folders that no longer exist; their sources."""
        gone = [
            info.doc_id
            for info in self.store.manifest.documents()
            if info.path and self._watched(Path(info.path)) and not Path(info.path).exists()
        ]
        return self.indexer().remove(gone).removed if gone else []

    def _watched(self, path: Path) -> bool:
        return any(path == f or f in path.parents for f in self.folders)

    def _record(self, report: IndexReport) -> None:
        self.status.last_sync = time.time()
        self.status.batches += 1
        self.status.last = report.to_dict()
        self.status.failed = list(report.failed)
        log.warning("watch: %s", report.summary())

    def _identity(self) -> list[tuple[int, int] | None]:
        """Each folder's (device, inode), None when it is gone: a folder deleted and made again is another."""
        found: list[tuple[int, int] | None] = []
        for folder in self.folders:
            try:
                stat = folder.stat()
                found.append((stat.st_dev, stat.st_ino))
            except OSError:
                found.append(None)
        return found

    def run(self) -> None:
        """Sync, then follow changes until `stop()`. Errors of one batch are logged and the watch goes on. A
        folder deleted (its documents are removed) is waited for; once it is back, or replaced by another of
        the same name, it is synced and watched anew."""
        import watchfiles

        self.status.running = True
        try:
            while not self._stop.is_set():
                identity = self._identity()
                if None in identity:
                    self.batch([])  # the vanished folder's documents go
                    self._stop.wait(0.5)
                    continue
                self.sync()
                for changes in watchfiles.watch(
                    *self.folders,
                    debounce=GATHER_MS,
                    step=QUIET_MS,
                    stop_event=self._stop,
                    yield_on_timeout=True,
                    rust_timeout=1000,
                    raise_interrupt=True,  # Ctrl-C ends `qa watch` (a server's thread gets no signals)
                ):
                    if self._stop.is_set():
                        break
                    if changes or self._pending:
                        try:
                            self.batch([Path(p) for _, p in changes])
                        except QAError as exc:  # a busy or unreachable store: the next batch tries again
                            log.warning("watch: batch failed: %s", exc)
                            self._pending.update(Path(p) for _, p in changes)
                    if self._identity() != identity:
                        log.warning("watch: a watched folder was deleted or replaced: watching it anew")
                        break
        except Exception as exc:
            self.status.error = f"{type(exc).__name__}: {exc}"
            log.exception("watch stopped")
            raise
        finally:
            self.status.running = False

    def start(self) -> threading.Thread:
        """Run in a daemon thread (the server's)."""
        thread = threading.Thread(target=self.run, name="qa-watch", daemon=True)
        thread.start()
        return thread
