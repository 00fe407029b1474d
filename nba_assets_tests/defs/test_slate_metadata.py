"""Each date's newest slate metadata, read for many dates in one pass over the event log: the
completion sensor asks for every open batch each tick (defs/batches.py::slates_metadata)."""

from __future__ import annotations

import dagster as dg

from nba_assets.defs.batches import RANGED, SLATE, slate_metadata, slates_metadata


def materialize(instance: dg.DagsterInstance, date: str, **metadata: object) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(SLATE, partition=date, metadata=metadata))


def test_each_dates_newest_materialization_wins_across_pages() -> None:
    with dg.instance_for_test() as instance:
        for attempt in range(5):  # re-runs of one date fill several pages of 2
            materialize(instance, "2025-02-12", batch_id=f"b20250212_{attempt:08d}")
        materialize(instance, "2025-02-11", batch_id="b20250211_00000000")
        for attempt in range(3):
            materialize(instance, "2025-02-13", batch_id=f"b20250213_{attempt:08d}")
        dates = ["2025-02-11", "2025-02-12", "2025-02-13", "2025-02-14"]
        for page in (1, 2, 100):
            found = slates_metadata(instance, dates, page=page)
            assert {d: m["batch_id"] for d, m in found.items()} == {
                "2025-02-11": "b20250211_00000000",
                "2025-02-12": "b20250212_00000004",
                "2025-02-13": "b20250213_00000002",
            }, page  # a date never run is absent
        assert slate_metadata(instance, "2025-02-12") == found["2025-02-12"]
        assert slate_metadata(instance, "2025-02-14") is None


def test_a_ranged_runs_metadata_gives_each_date_its_own_entry() -> None:
    with dg.instance_for_test() as instance:
        per_date = {
            "2025-02-11": {"batch_id": "b20250211_aaaaaaaa"},
            "2025-02-12": {"batch_id": "b20250212_bbbbbbbb"},
        }
        for date in per_date:
            materialize(instance, date, **{RANGED: per_date, "batch_owner": "bf1"})
        found = slates_metadata(instance, list(per_date))
        assert {d: (m["batch_id"], m["batch_owner"]) for d, m in found.items()} == {
            "2025-02-11": ("b20250211_aaaaaaaa", "bf1"),
            "2025-02-12": ("b20250212_bbbbbbbb", "bf1"),
        }
