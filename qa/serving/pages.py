"""A PDF page as the reader saw it: rendered by pypdfium2, with the quoted lines highlighted.

The boxes come from the document's regions (each PDF line's box, recorded at indexing), so the highlight covers
the lines the quote's offsets span. The page is rendered from the file as indexed: a file changed or gone since
is an error, not a picture of other text.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from index.errors import NotFound, Stale
from index.load import Document
from index.readers.base import Region, boxes
from index.readers.pdf import PDFIUM_LOCK

SCALE = 1.5  # pixels per PDF point: 1.5 x 72 = 108 dpi, a page about 900 pixels wide
HIGHLIGHT = (255, 214, 0, 110)  # translucent yellow (RGBA)
PAD = 1.5  # points around each line's box


def _pixels(box: tuple[float, float, float, float], crop: tuple[float, ...], rotation: int) -> list[float]:
    """A box in PDF user space (points, origin bottom-left of the unrotated page) as pixel corners of the page
    rendered at SCALE, which shows the crop box turned clockwise by the page's /Rotate."""
    left, bottom, right, top = crop
    width, height = right - left, top - bottom
    x0, y0, x1, y1 = box[0] - left - PAD, box[1] - bottom - PAD, box[2] - left + PAD, box[3] - bottom + PAD
    # Corners as (u, v): u rightwards, v downwards on the unrotated page; then turned.
    corners = [(x, height - y) for x in (x0, x1) for y in (y0, y1)]
    turned = {
        90: [(height - v, u) for u, v in corners],
        180: [(width - u, height - v) for u, v in corners],
        270: [(v, width - u) for u, v in corners],
    }.get(rotation % 360, corners)
    us, vs = [u for u, _ in turned], [v for _, v in turned]
    return [min(us) * SCALE, min(vs) * SCALE, max(us) * SCALE, max(vs) * SCALE]


def page_png(doc: Document, regions: tuple[Region, ...], page: int, start: int, end: int) -> bytes:
    """PNG of page `page` (1-based) of a PDF document, with the lines of text[start:end] on it highlighted.

    Raises:
        NotFound: not a PDF from a file, the file is gone, or no such page.
        Stale: the file has changed since it was indexed.
    """
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    if not doc.path or not doc.path.lower().endswith(".pdf"):
        raise NotFound(f"{doc.source} is not a PDF file: it has no pages to show")
    if not 0 <= start <= end <= len(doc.text):
        raise NotFound(
            f"offsets {start}-{end} are out of range for {doc.source} (its text has {len(doc.text)} characters; "
            "need 0 <= start <= end <= length)"
        )
    path = Path(doc.path)
    try:
        raw = path.read_bytes()
    except OSError:
        raise NotFound(f"{doc.source}: the file is no longer there") from None
    if hashlib.sha256(raw).hexdigest() != (doc.file_hash or doc.content_hash):
        raise Stale(f"{doc.source} has changed since it was indexed: index it again to see its pages")
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(raw, password="")
        try:
            if not 1 <= page <= len(pdf):
                raise NotFound(f"{doc.source} has {len(pdf)} pages, not a page {page}")
            sheet = pdf[page - 1]
            rotation = sheet.get_rotation()
            crop = sheet.get_bbox()  # the shown area: media box and crop box, as inherited
            image = sheet.render(scale=SCALE).to_pil().convert("RGBA")
        finally:
            pdf.close()
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for box in boxes(regions, start, end).get(page, []):
        draw.rectangle(_pixels(box, crop, rotation), fill=HIGHLIGHT)
    out = io.BytesIO()
    Image.alpha_composite(image, layer).convert("RGB").save(out, "PNG", optimize=True)
    return out.getvalue()
