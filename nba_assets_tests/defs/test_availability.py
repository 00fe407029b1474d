"""An availability file: players listed out report `skipped` with reason `out: <status>`, no rows."""

from __future__ import annotations

import dagster as dg

from nba_assets.batch_state.base import CompletionStatus
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.defs.batches import current_batch_id
from nba_assets_tests.fixtures import SMALL_DATE

DAY = SMALL_DATE.isoformat()


def test_players_out_are_skipped_with_their_status(tmp_path, monkeypatch, local_home, instance):
    availability = tmp_path / "availability.csv"
    availability.write_text(
        "game_date,player,status\n"
        f"{DAY},LeBron James,Out\n"
        f"{DAY},Luka Dončić,questionable\n"  # not out: predicted as usual
        "2025-02-20,Austin Reaves,out\n",  # another date: no effect
        encoding="utf-8",
    )
    monkeypatch.setenv("NBA_ASSETS_AVAILABILITY", str(availability))
    monkeypatch.setenv("NBA_ASSETS_SHARDS", "1")
    from nba_assets.definitions import defs

    definitions = defs()
    slate = definitions.resolve_job_def("slate_job").execute_in_process(partition_key=DAY, instance=instance)
    meta = slate.get_asset_materialization_events()[-1].materialization.metadata
    assert meta["players_out"].value == {"lebronjames": "out"}
    definitions.resolve_job_def("staging_job").execute_in_process(
        partition_key=dg.MultiPartitionKey({"date": DAY, "shard": "00"}), instance=instance
    )
    store = SqliteBatchStore(local_home / "batch_state.sqlite")
    done = {c.player_lookup: c for c in store.completions(current_batch_id(instance, DAY))}
    assert len(done) == 20
    assert (done["lebronjames"].status, done["lebronjames"].reason) == (CompletionStatus.SKIPPED, "out: out")
    assert done["lebronjames"].predictions == 0
    assert done["lukadoncic"].status == CompletionStatus.SUCCEEDED
    assert done["austinreaves"].status == CompletionStatus.SUCCEEDED
