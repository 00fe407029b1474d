"""The tonight page as publish writes it: beside v1/, every schema inlined, rewritten only on change."""

from __future__ import annotations

import json
import re
from importlib import resources

from nba_assets.exports.local import DirectorySink
from nba_assets.exports.page import PAGE_PATH, SCHEMA_NAMES, page_bytes
from nba_assets.exports.publish import publish
from nba_assets.exports.schemas import load


def inlined_schemas(page: bytes) -> dict:
    text = page.decode("utf-8")
    match = re.search(r'<script id="schemas" type="application/json">(.*?)</script>', text, re.S)
    assert match, "the page lost its schema block"
    return json.loads(match.group(1))


def test_the_page_inlines_exactly_the_packages_schemas():
    assert inlined_schemas(page_bytes()) == {name: load(name) for name in SCHEMA_NAMES}
    # the page reads only v1 files, by relative address (works under a bucket prefix too)
    template = resources.files("nba_assets.exports").joinpath("page.html").read_text(encoding="utf-8")
    paths = set(re.findall(r"[`\"](v1/[^`\"$]*)", template))
    assert paths == {
        "v1/tonight/all-players.json",
        "v1/best-bets/latest.json",
        "v1/results/",
        "v1/tonight/player/",
    }


def test_publish_writes_the_page_beside_v1_after_the_files_and_only_when_it_changed(
    tmp_path, demo_files, gates
):
    sink = DirectorySink(tmp_path)
    first = publish(demo_files, sink, gates)
    assert first.ok and first.page is not None and first.metadata()["page"] == str(tmp_path / PAGE_PATH)
    assert (tmp_path / PAGE_PATH).read_bytes() == page_bytes() and (tmp_path / "v1").is_dir()
    stamp = (tmp_path / PAGE_PATH).stat().st_mtime_ns
    again = publish(demo_files, sink, gates)
    assert again.ok and again.page is None and (tmp_path / PAGE_PATH).stat().st_mtime_ns == stamp
    (tmp_path / PAGE_PATH).write_text("an older page")
    assert publish(demo_files, sink, gates).page is not None
    assert (tmp_path / PAGE_PATH).read_bytes() == page_bytes()


def test_a_dry_run_or_a_refused_export_writes_no_page(tmp_path, demo_files, gates):
    sink = DirectorySink(tmp_path)
    assert publish(demo_files, sink, gates, dry_run=True).page is None
    few = [f for f in demo_files if f.kind != "player"][:1] + demo_files[-2:]
    assert not publish(few, sink, gates).ok
    assert not (tmp_path / PAGE_PATH).exists()
