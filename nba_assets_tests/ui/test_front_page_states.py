"""The tonight page's designed empty states, over files of real run-days: an off day (no games)
and a slate whose lines file has none for the day. Each is one cheap run-day in its own folder."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nba_assets_tests.fixtures import SMALL_DATE
from nba_assets_tests.ui.front_page import (
    QUICK_SYSTEMS,
    chromium,
    need_browser,
    open_page,
    read,
    run_real_day,
    shot,
    thread_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
OFF_DAY = "2024-12-24"  # Christmas Eve: the 2024-25 schedule has no game
NO_LINES_DAY = SMALL_DATE.isoformat()  # one game, 20 players


@pytest.fixture(scope="module")
def browser(off_day, no_lines_day):
    need_browser()
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def off_day(tmp_path_factory):
    need_browser()
    return run_real_day(tmp_path_factory.mktemp("off"), OFF_DAY, env={"NBA_ASSETS_SYSTEMS": QUICK_SYSTEMS})


@pytest.fixture(scope="module")
def no_lines_day(tmp_path_factory):
    """A lines file that has lines, but none for the day: the pipeline's own 'no lines yet' case."""
    need_browser()
    tmp = tmp_path_factory.mktemp("nolines")
    lines = tmp / "lines.csv"
    lines.write_text("game_date,player_name,line,bookmaker\n2025-02-13,Jayson Tatum,25.5,draftkings\n")
    return run_real_day(
        tmp, NO_LINES_DAY, env={"NBA_ASSETS_LINES": str(lines), "NBA_ASSETS_SYSTEMS": QUICK_SYSTEMS}
    )


def evening(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T23:00:00").replace(tzinfo=UTC)


def test_off_day_says_so(off_day, browser):
    assert read(off_day, "v1/tonight/all-players.json")["games"] == []
    with thread_server(off_day) as url:
        page = open_page(browser, url, now=evening(OFF_DAY))
        message = page.locator("#off-day")
        assert message.is_visible() and "no games" in message.inner_text() and OFF_DAY in message.inner_text()
        assert page.locator("#no-picks").is_visible()
        assert page.locator("#no-results").is_visible()
        assert page.locator("#problems").inner_text() == "" and page.js_errors == []
        assert page.locator("#not-today").count() == 0
        shot(page, "off-day", full_page=True)


def test_slate_without_lines_says_so(no_lines_day, browser):
    day = read(no_lines_day, "v1/tonight/all-players.json")
    assert day["total_players"] > 0 and day["total_with_lines"] == 0
    with thread_server(no_lines_day) as url:
        page = open_page(browser, url, now=evening(NO_LINES_DAY))
        assert page.locator("#no-lines").is_visible() and page.locator("#no-picks").is_visible()
        assert page.locator("section.game tbody tr").count() == day["total_players"]
        assert page.locator("section.game .call.NO_LINE").count() == day["total_players"]
        assert page.locator("#problems").inner_text() == "" and page.js_errors == []
        shot(page, "no-lines", full_page=True)
        lookup = day["games"][0]["players"][0]["player_lookup"]
        page.goto(url + f"#player/{lookup}")
        page.wait_for_function("([p]) => document.documentElement.dataset.player === p", arg=[lookup])
        assert page.locator("#no-line-table tbody tr").count() == len(
            read(no_lines_day, f"v1/tonight/player/{lookup}.json")["predictions"]
        )
