"""OCR for pages without a text layer: RapidOCR (PaddleOCR's PP-OCRv4 models on onnxruntime).

Chosen over Tesseract because its models ship inside the `rapidocr-onnxruntime` wheel (nothing downloaded, no
Debian package to install, the same on every machine) and it runs on onnxruntime, which the embedder already
uses. `QA_OCR=off` turns OCR off; scanned pages are then reported as having no text layer.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cache
from typing import Any

from index.readers.base import Line

log = logging.getLogger(__name__)

# Pages are rendered at this resolution for OCR (dots per inch); PP-OCR reads body text well from 150 dpi up.
DPI = 200
# Recognised text below this confidence (0-1, RapidOCR's score) is left out as noise.
MIN_SCORE = 0.5

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
    """The lines OCR finds on a pypdfium2 page, with boxes in PDF points (origin bottom-left).

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
        found, _ = engine(image)
    lines = []
    for corners, text, score in found or []:
        if float(score) < MIN_SCORE or not str(text).strip():
            continue
        xs = [float(p[0]) / scale for p in corners]
        ys = [float(p[1]) / scale for p in corners]
        lines.append(Line(str(text), (min(xs), height - max(ys), max(xs), height - min(ys))))
    return lines
