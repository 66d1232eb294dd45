"""PDF -> text with the page and box of every line; pages without a text layer are read by OCR.

pdfminer.six gives the text lines and their boxes (it reads empty-password encryption, RC4 and AES, itself);
`layout.py` puts them in reading order; pypdfium2 renders a scanned page for OCR (`ocr.py`).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

from index.errors import LoadError
from index.readers.base import Extracted, TextBuilder
from index.readers.layout import Line, add_page
from index.readers.ocr import available as ocr_available
from index.readers.ocr import read_page as ocr_page

log = logging.getLogger(__name__)

# A page whose text layer holds fewer characters than this, and that shows an image, is read by OCR.
MIN_LAYER_CHARS = 20


def _lines(item: Any) -> Iterator[Line]:
    from pdfminer.layout import LTTextLineHorizontal

    if isinstance(item, LTTextLineHorizontal):
        text = item.get_text().strip()
        if text:
            yield Line(text, tuple(item.bbox))  # type: ignore[arg-type]
        return
    if hasattr(item, "__iter__"):
        for child in item:
            yield from _lines(child)


def _has_image(item: Any) -> bool:
    from pdfminer.layout import LTImage

    if isinstance(item, LTImage):
        return True
    return hasattr(item, "__iter__") and any(_has_image(child) for child in item)


def read_pdf(raw: bytes, source: str) -> Extracted:
    """Every page's text in reading order, each line a region with its page ("p. 3") and box.

    Raises:
        LoadError: needs a password, unreadable, or no text on any page (with why: no text layer and no OCR).
    """
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    builder = TextBuilder()
    problems: list[str] = []
    scanned: list[int] = []
    ocr_pages = 0
    rendered: Any = None
    try:
        for number, page in enumerate(extract_pages(io.BytesIO(raw), password="", laparams=LAParams()), 1):
            lines = list(_lines(page))
            if sum(len(line.text) for line in lines) >= MIN_LAYER_CHARS or not _has_image(page):
                add_page(builder, lines, number)
                continue
            scanned.append(number)
            if not ocr_available():
                continue
            import pypdfium2 as pdfium

            rendered = rendered or pdfium.PdfDocument(raw, password="")
            found = ocr_page(rendered[number - 1])
            ocr_pages += 1
            if found:
                add_page(builder, found, number, ocr=True)
            else:
                problems.append(f"page {number}: OCR found no text")
    except PDFPasswordIncorrect:
        raise LoadError(
            source, "needs a password (it is encrypted and the empty password does not open it)"
        ) from None
    except PDFEncryptionError as exc:
        raise LoadError(source, f"encrypted in a way that cannot be read ({exc})") from None
    except LoadError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on broken files; one bad file must not stop a run
        log.debug("cannot read %s", source, exc_info=True)
        raise LoadError(source, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    finally:
        if rendered is not None:
            rendered.close()
    extracted = builder.build(ocr_pages, problems)
    if not extracted.text.strip():
        if scanned and not ocr_available():
            raise LoadError(source, "no text layer (scanned pages?) and no OCR engine is installed")
        if scanned:
            raise LoadError(source, "no text layer, and OCR found no text on its pages")
        raise LoadError(source, "no text in file")
    if scanned and not ocr_available():
        problems.append(f"pages {', '.join(map(str, scanned))}: no text layer and no OCR engine, not indexed")
        extracted = Extracted(extracted.text, extracted.regions, 0, tuple(problems))
    return extracted
