"""The README stays a front page a newcomer reads, and no link in the documentation points nowhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)]+)\)")


def test_the_readme_front_page_is_short() -> None:
    assert len((ROOT / "README.md").read_bytes()) < 10_000


def test_every_link_in_the_docs_resolves_to_a_file() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = [
        f"{page.relative_to(ROOT)}: {link}"
        for page in pages
        for link in LINK.findall(page.read_text(encoding="utf-8"))
        if not link.startswith(("http://", "https://", "#", "mailto:"))
        and not (page.parent / link.split("#")[0]).exists()
    ]
    assert broken == []
