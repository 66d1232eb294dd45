"""The running server as a client sees it: while `qa serve` holds a store, the CLI sends its writes and questions
there (`index/lease.py` says why), so that the server answers from new documents at once and no two processes
write one embedded store."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from index.errors import BadInput, NotFound, QAError
from index.lease import Holder

log = logging.getLogger(__name__)

TIMEOUT_S = 3600.0  # indexing a large folder through the server takes as long as it takes
BUSY_RETRY_S = 2.0


class RemoteStore:
    """Sends `qa index` and `qa ask` to the server recorded beside the store."""

    def __init__(self, holder: Holder) -> None:
        if not holder.url or not holder.key:
            raise QAError(f"the store is held by {holder.describe()}, which cannot be reached")
        self.holder = holder

    def index(self, paths: list[str], sync: bool) -> dict[str, Any]:
        """`POST /api/index`: the server indexes these local paths itself (waiting while it is busy)."""
        return self._post("/api/index", {"paths": [str(Path(p).resolve()) for p in paths], "sync": sync})

    def ask(self, question: str, history: list[tuple[str, str]], mode: str | None = None) -> dict[str, Any]:
        """`POST /api/ask`: the Answer object as a dict."""
        return self._post("/api/ask", {"question": question, "history": history, "mode": mode})

    def _post(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        said = False
        while True:
            request = urllib.request.Request(
                f"{self.holder.url}{route}",
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.holder.key}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                    return dict(json.load(response))
            except urllib.error.HTTPError as exc:
                message = _error_of(exc)
                if exc.code == 503 and "in use" in message:
                    if not said:
                        log.warning("%s; waiting", message)
                        said = True
                    time.sleep(BUSY_RETRY_S)
                    continue
                if exc.code == 404:
                    raise NotFound(message) from None
                if 400 <= exc.code < 500:
                    raise BadInput(message) from None
                raise QAError(f"the server ({self.holder.describe()}) failed: {message}") from None
            except (urllib.error.URLError, OSError) as exc:
                raise QAError(
                    f"cannot reach the server holding the store ({self.holder.describe()}): {exc}"
                ) from None


def _error_of(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read()).get("error") or exc.reason)
    except (ValueError, AttributeError, OSError):
        return str(exc.reason)
