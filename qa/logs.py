"""Logging set-up shared by the `qa` command and the server (`app.py`): warnings to stderr, libraries quiet."""

from __future__ import annotations

import logging
import sys


def configure_logging(verbose: bool) -> None:
    """Log warnings (and with `verbose`, info) to stderr as `LEVEL name: message`; chatty libraries stay at
    warnings."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("chromadb", "httpx", "sentence_transformers", "bm25s", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
