"""Child process: run one job through the instance and SIGKILL itself at a chosen point.

    python -m nba_assets_tests.reliability.crash_runner SPEC_JSON

SPEC_JSON: {"job", "partition" (a date, or {"date", "shard"}), "point" (a key of POINTS, or
null for a clean run), "nth" (die at the nth call, default 1), "run_config", "tags"}.
DAGSTER_HOME, NBA_ASSETS_HOME and the profile's settings come from the environment, exactly as a
run worker launched by the daemon gets them. The product has no crash hooks: each point is a
monkeypatch of a storage class method, wrapped so the process dies right after (or inside) the
real call, with no chance to clean up, flush or record anything.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable

PointFn = Callable[[int], None]


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _after(owner: type, name: str, nth: int, calls: dict | None = None) -> None:
    """Call the real ``owner.name``, then die on the nth call (``calls``: a count shared by several)."""
    original = getattr(owner, name)
    calls = {"n": 0} if calls is None else calls

    def wrapper(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] >= nth:
            die()
        return out

    setattr(owner, name, wrapper)


def _after_staging_write(nth: int) -> None:
    # the player's rows are staged; its completion is never recorded
    from nba_assets.warehouse.gcp import BigQueryWarehouse
    from nba_assets.warehouse.local import DuckDBWarehouse

    for cls in (DuckDBWarehouse, BigQueryWarehouse):
        _after(cls, "write_staging", nth)


def _after_completions(nth: int) -> None:
    # every player of the shard staged and recorded; the run dies before its materialization
    from nba_assets.defs.predictions import assets

    original = assets.run_shard

    def wrapper(*args, **kwargs):
        original(*args, **kwargs)
        die()

    assets.run_shard = wrapper


def _during_merge(nth: int) -> None:
    from nba_assets.warehouse import local
    from nba_assets.warehouse.gcp import BigQueryWarehouse

    # DuckDB: the MERGE statement has run inside its transaction, which never commits
    original = local.run_merge

    def merge_then_die(*args, dml, **kwargs):
        def dying(statement, params):
            dml(statement, params)
            die()

        return original(*args, dml=dying, **kwargs)

    local.run_merge = merge_then_die

    # BigQuery: the MERGE job is submitted; the client dies without waiting for its result
    original_job = BigQueryWarehouse._job

    def submit_then_die(self, what, statement, params, *, dml=False, arrow=False):
        if not dml:
            return original_job(self, what, statement, params, dml=dml, arrow=arrow)
        from google.cloud import bigquery

        from nba_assets.warehouse.bigquery_io import query_parameters

        config = bigquery.QueryJobConfig(query_parameters=query_parameters(params))
        self.client.query(statement, job_config=config, location=self.location, job_retry=None)
        die()

    BigQueryWarehouse._job = submit_then_die


def _warehouse_after(name: str) -> PointFn:
    def install(nth: int) -> None:
        from nba_assets.warehouse.gcp import BigQueryWarehouse
        from nba_assets.warehouse.local import DuckDBWarehouse

        for cls in (DuckDBWarehouse, BigQueryWarehouse):
            _after(cls, name, nth)

    return install


def _after_mark_consolidated(nth: int) -> None:
    # the batch is recorded consolidated; staging is not dropped yet, exports not written
    from nba_assets.batch_state.gcp import FirestoreBatchStore
    from nba_assets.batch_state.local import SqliteBatchStore

    for cls in (SqliteBatchStore, FirestoreBatchStore):
        _after(cls, "mark_consolidated", nth)


def _during_export(nth: int) -> None:
    # some files of the day published, the rest (and the pointer files) not
    from nba_assets.exports.gcs import GcsSink
    from nba_assets.exports.local import DirectorySink

    # every file write counts once: DirectorySink.write_if writes through write; GcsSink's does not
    _after(DirectorySink, "write", nth)
    shared = {"n": 0}
    for name in ("write", "write_if"):
        _after(GcsSink, name, nth, shared)


POINTS: dict[str, PointFn] = {
    "after_staging_write": _after_staging_write,
    "after_completions": _after_completions,
    "during_merge": _during_merge,
    "after_merge": _warehouse_after("merge_staging"),
    "after_verify": _warehouse_after("verify"),
    "after_mark_consolidated": _after_mark_consolidated,
    "during_export": _during_export,
}


def main(spec: dict) -> int:
    import dagster as dg

    from nba_assets_tests.reliability.harness import definitions

    if spec.get("point"):
        POINTS[spec["point"]](int(spec.get("nth", 1)))
    partition = spec["partition"]
    key = dg.MultiPartitionKey(partition) if isinstance(partition, dict) else partition
    run_config = {
        **(spec.get("run_config") or {}),
        "loggers": {"console": {"config": {"log_level": "WARNING"}}},
    }
    result = (
        definitions()
        .resolve_job_def(spec["job"])
        .execute_in_process(
            partition_key=key,
            run_config=run_config,
            tags=spec.get("tags") or {},
            instance=dg.DagsterInstance.get(),
            raise_on_error=False,
        )
    )
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
