"""Stand-in ("reference") lines are a demo device: they appear only where no lines source is
configured; with a lines feed configured and nothing stored, a player simply has no line."""

from __future__ import annotations

from nba_assets.inputs.day import Sources, day_inputs
from nba_assets.warehouse.local import DuckDBWarehouse
from nba_assets_tests.fixtures import SMALL_DATE


def test_with_a_lines_feed_and_no_stored_lines_there_are_no_stand_ins(tmp_path):
    wh = DuckDBWarehouse(tmp_path / "wh.duckdb", tmp_path / "staging")
    wh.ensure_schema()
    demo = day_inputs(Sources(), SMALL_DATE, wh)
    assert demo.lines_source == "reference" and len(demo.lines)  # no source configured: the demo
    live = day_inputs(Sources(lines_feed=True), SMALL_DATE, wh)
    assert live.lines_source == "odds" and live.lines.empty  # the feed's (none stored): NO_LINE
    assert len(live.slate) == len(demo.slate) == 20
