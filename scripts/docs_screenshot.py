"""docs/images/tonight.png from the README's first command as a user runs it (default settings: the
demo day's real lines and the default EV margin), served by `nba-assets serve`, in Debian's Chromium.

    .venv/bin/nba-assets run-day && .venv/bin/python scripts/docs_screenshot.py [EXPORT_DIR]
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

from playwright.sync_api import sync_playwright

from nba_assets.inputs.bundled import DEMO_DATE
from nba_assets_tests.ui.front_page import CHROMIUM_ARGS, DOCS_IMAGES, cli_server, open_page

folder = Path(sys.argv[1] if len(sys.argv) > 1 else "out/exports")
evening = datetime.combine(date.fromisoformat(DEMO_DATE), datetime.min.time(), UTC).replace(hour=23)
with cli_server(folder, Path("/tmp")) as url, sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    try:
        open_page(browser, url, now=evening).screenshot(path=str(DOCS_IMAGES / "tonight.png"))
    finally:
        browser.close()
print(f"wrote {DOCS_IMAGES / 'tonight.png'} from {folder}")
