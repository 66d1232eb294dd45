"""OCR for pages without a text layer: RapidOCR (PaddleOCR's PP-OCRv4 models on onnxruntime).

Chosen over Tesseract because its models ship inside the `rapidocr-onnxruntime` wheel (nothing downloaded, no
Debian package to install, the same on every machine) and it runs on onnxruntime, which the embedder already
uses. `QA_OCR=off` turns OCR off; scanned pages are then reported as having no text layer.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from functools import cache
from typing import Any

from index.readers.base import Line
from index.readers.spacing import spaced

log = logging.getLogger(__name__)

# Pages are rendered at this resolution for OCR (dots per inch); PP-OCR reads body text well from 150 dpi up.
DPI = 200
# Recognised text below this confidence (0-1, RapidOCR's score) is left out as noise.
MIN_SCORE = 0.5

# Lines are read as they stand: RapidOCR's angle classifier, run on every line, turned a line of plain English
# upside down now and then, and the line was lost (a 12 pt letter, tests/test_readers.py). A page where more than
# this share of the lines read as nothing (below MIN_SCORE) is read again turned round, as if scanned upside down.
UNREAD_SHARE = 0.3

_lock = threading.Lock()  # one page at a time: onnxruntime already uses every core


@cache
def _engine() -> Any | None:
    if os.environ.get("QA_OCR", "").lower() in ("0", "off", "no", "false"):
        return None
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        return None
    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    return RapidOCR()


def available() -> bool:
    """Is an OCR engine installed and switched on?"""
    return _engine() is not None


def read_page(page: Any) -> list[Line]:
    """The lines OCR finds on a pypdfium2 page, with boxes in PDF points (origin bottom-left), the spaces the
    recogniser dropped between words put back (`spacing.spaced`) and its "f" for "£" mended (`pound_signs`).

    Raises:
        RuntimeError: no OCR engine (check `available()` first).
    """
    engine = _engine()
    if engine is None:
        raise RuntimeError("no OCR engine")
    import numpy as np

    scale = DPI / 72
    height = page.get_height()
    image = np.asarray(page.render(scale=scale).to_pil().convert("RGB"))
    with _lock:
        found = engine(image, use_cls=False, text_score=0.0)[0] or []
        if sum(float(score) < MIN_SCORE for _, _, score in found) > UNREAD_SHARE * len(found):
            # A page scanned upside down, read turned the right way up (kept if it reads more): its lines come
            # in reading order, with boxes on the turned page.
            turned = engine(np.ascontiguousarray(image[::-1, ::-1]), use_cls=False, text_score=0.0)[0] or []
            if _read_chars(turned) > _read_chars(found):
                found = turned
    lines = []
    for corners, text, score in found:
        if float(score) < MIN_SCORE or not str(text).strip():
            continue
        xs = [float(p[0]) / scale for p in corners]
        ys = [float(p[1]) / scale for p in corners]
        lines.append(
            Line(pound_signs(spaced(str(text))), (min(xs), height - max(ys), max(xs), height - min(ys)))
        )
    return lines


# "f" where the recogniser misread a pound sign, before a sum of money: "f412,750.00", "f185", "f4.95" (not
# "f2.8", "f8", "f/2.8"). Seen on every invoice and letter a review helper scanned in 2026-12 (scratch).
_MISREAD_POUND = re.compile(
    r"(?<![A-Za-z])f(?=(?:\d{1,3}(?:,\d{3})+|\d{2,})(?:\.\d{2})?(?![\w.]\d)|\d\.\d{2}(?!\d))"
)


def pound_signs(line: str) -> str:
    """A recognised line with the pound signs read as "f" before sums of money put back ("f185" -> "£185")."""
    return _MISREAD_POUND.sub("£", line)


def _read_chars(found: list) -> int:
    """Characters of the lines recognised at MIN_SCORE or better."""
    return sum(len(str(text).strip()) for _, text, score in found if float(score) >= MIN_SCORE)
