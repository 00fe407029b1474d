"""The tonight page: one static HTML file published beside ``v1/`` (issue 26).

``page.html`` is plain HTML, CSS and JS (no build step) that reads only the v1 files. The JSON
Schemas of this package are inlined into it when it is published, so the page checks every file
against exactly the schemas of the pipeline that wrote them and names a file that does not match.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from nba_assets.exports.files import CACHE_CURRENT
from nba_assets.exports.schemas import SCHEMA_FILES, load

PAGE_PATH = "index.html"  # beside v1/: the sink's root, a bucket website's main page
PAGE_CACHE = CACHE_CURRENT
_PLACEHOLDER = "/*SCHEMAS*/"
SCHEMA_NAMES = ("common.json", *SCHEMA_FILES.values())


@cache
def page_bytes() -> bytes:
    """The published page: the packaged template with every v1 schema of this package inlined."""
    return render_page({name: load(name) for name in SCHEMA_NAMES})


def render_page(schemas: dict[str, dict]) -> bytes:
    """The page with ``schemas`` (file name -> schema document) inlined as JSON."""
    template = resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")
    if template.count(_PLACEHOLDER) != 1:
        raise RuntimeError(f"page.html must hold the schema placeholder {_PLACEHOLDER} exactly once")
    inlined = json.dumps(schemas, sort_keys=True, separators=(",", ":"))
    # inside <script>, "</" could end the element early; "<\/" is the same JSON string
    return template.replace(_PLACEHOLDER, inlined.replace("</", "<\\/")).encode("utf-8")
