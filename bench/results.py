"""bench/RESULTS.md: each benchmark owns one ``## Title`` section and replaces only that."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(section: str) -> Path:
    """Replace the section whose first line (``## Title``) ``section`` starts with, or append it."""
    title = section.splitlines()[0].strip()
    if not title.startswith("## "):
        raise ValueError(f"a section starts with '## Title', got {title!r}")
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    body = section.rstrip("\n") + "\n\n"
    text = (
        pattern.sub(lambda _: body, text, count=1)
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + body
    )
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return RESULTS
