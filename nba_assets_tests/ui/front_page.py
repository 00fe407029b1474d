"""What the tonight-page tests share: a real run-day into a temp folder, the page served, Chromium.

The files are those a real ``run_day`` publishes (and, for the graded record, a real grading run);
the page is served by ``nba-assets serve`` itself or, for altered copies of the folder, by the same
request handler in a thread. Screenshots go to test-artifacts/page/.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import shutil
import sys
import threading
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from nba_assets_tests.emulators.process import ManagedProcess, free_port, unavailable

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "page"
DOCS_IMAGES = ROOT / "docs" / "images"
# the flags every browser test launches Debian's Chromium with (closed network: no background calls)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# gradient_boosting first trains the points model (~30 s) and with it the P(over) calibration, so
# the demo day's predictions come out "calibrated" (P(over), EV shown); once per module
SYSTEMS = "moving_average,matchup,similarity,ensemble,gradient_boosting"
# for days whose page does not depend on calibration (no games, no lines): no model to train
QUICK_SYSTEMS = "moving_average,matchup,similarity,ensemble"


def need_browser() -> None:
    if shutil.which("chromium") is None:
        unavailable("Debian's chromium is not installed (scripts/install-browser)")
    if importlib.util.find_spec("playwright") is None:  # skips locally, fails under CI=true
        unavailable("playwright is not installed (pip install 'nba_assets[test]')")


def run_real_day(
    tmp: Path,
    day: str,
    *,
    grade: bool = False,
    env: dict[str, str] | None = None,
    earlier_season: bool = False,
) -> Path:
    """``run_day`` (as `nba-assets run-day` does) into ``tmp``; returns the export folder.

    ``earlier_season``: the points model is trained first (the points_model job, its calibration on
    the bundled real lines), then synthetic pairs of an earlier season are added to its stored
    pairs. The bundled 2024-25 lines alone make a first-season calibration, which states P(over)
    and EV but never picks; page tests that need picks to show get them this way."""
    settings = {
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(tmp / "out"),
        "NBA_ASSETS_SHARDS": "1",
        "NBA_ASSETS_SYSTEMS": SYSTEMS,
        "DAGSTER_HOME": str(tmp / "dagster_home"),
        **(env or {}),
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in settings.items():
            patch.setenv(key, value)
        import dagster as dg

        from nba_assets.definitions import defs
        from nba_assets.defs.jobs import GRADING_JOB
        from nba_assets.instance.day_run import execute, prepare_home, run_day

        instance = prepare_home(tmp / "dagster_home")
        try:
            definitions = defs()
            if earlier_season:
                _train_with_an_earlier_season(definitions, instance, day)
            assert run_day(definitions, instance, day, quiet=True).consolidated
            if grade:  # the played day's actual points, graded: results/{day}.json
                graded = execute(definitions, instance, GRADING_JOB, dg.RunRequest(partition_key=day))
                assert graded.ok, graded
        finally:
            instance.dispose()
    return tmp / "out" / "exports"


def _train_with_an_earlier_season(definitions, instance, day: str) -> None:
    import dagster as dg
    import pandas as pd

    from nba_assets.defs.jobs import POINTS_MODEL_JOB
    from nba_assets.environment import local_root
    from nba_assets.instance.day_run import execute
    from nba_assets.predictions import line_calibration, model_store
    from nba_assets_tests.predictions.real_pairs import synthetic_pairs

    config = {"ops": {"points_model": {"config": {"train_before": day}}}}
    assert execute(definitions, instance, POINTS_MODEL_JOB, dg.RunRequest(run_config=config)).ok
    version = model_store.version_dir(local_root() / "models")
    # 2021: a season before the demo's
    frames = [line_calibration.load_pairs(version), *(synthetic_pairs(system=s) for s in SYSTEMS.split(","))]
    line_calibration.save(pd.concat(frames, ignore_index=True), date.fromisoformat(day), version)


def _answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status == 200


@contextlib.contextmanager
def cli_server(folder: Path, log_dir: Path) -> Iterator[str]:
    """`nba-assets serve --port P --dir folder`, the command a user runs; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = ManagedProcess(
        "nba-assets-serve",
        [
            str(Path(sys.executable).with_name("nba-assets")),
            "serve",
            "--port",
            str(port),
            "--dir",
            str(folder),
        ],
        port,
        log_path=log_dir / "serve.log",
        ready=lambda: _answers(url),
        timeout=60,
    )
    server.start()
    try:
        yield url
    finally:
        server.stop()


@contextlib.contextmanager
def thread_server(folder: Path) -> Iterator[str]:
    """The serve command's own server and handler, in a thread (for altered copies of a folder)."""
    from nba_assets.commands.serve import serve

    server = serve(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def open_page(
    browser, url: str, *, now: datetime | None = None, width: int = 1280, zone: str = "America/New_York"
):
    """A fresh page at ``url`` (viewer in ``zone``, clock at ``now`` if given), rendered; the page
    records its JS errors in ``page.js_errors``."""
    context = browser.new_context(viewport={"width": width, "height": 900}, timezone_id=zone, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    if now is not None:
        page.clock.set_fixed_time(now)
    page.goto(url)
    wait_ready(page)
    return page


def wait_ready(page, player: str | None = None) -> None:
    if player is None:
        page.wait_for_function("document.documentElement.dataset.state === 'ready'")
    else:
        page.wait_for_function(
            "([p]) => document.documentElement.dataset.state === 'ready' && document.documentElement.dataset.player === p",
            arg=[player],
        )


def shot(page, name: str, *, full_page: bool = False) -> Path:
    """Screenshot to test-artifacts/page/ (the README's docs/images/tonight.png comes from a default
    run-day instead: scripts/docs_screenshot.py; these fixtures change settings)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def read(folder: Path, path: str) -> dict:
    return json.loads((folder / path).read_text(encoding="utf-8"))
