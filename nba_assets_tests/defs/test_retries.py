"""Only backend outages reach the step's RetryPolicy; everything else fails the step at once."""

from __future__ import annotations

import dagster as dg
import pytest

from nba_assets.batch_state.base import BatchStoreError, RetryableStoreError
from nba_assets.defs.retries import retry_only_outages
from nba_assets.warehouse.base import RetryableWarehouseError, ZeroRowMergeError


@pytest.mark.parametrize(
    "outage", [RetryableStoreError("firestore down"), RetryableWarehouseError("bq down")]
)
def test_an_outage_goes_to_the_retry_policy(outage):
    with pytest.raises(type(outage)), retry_only_outages():
        raise outage


@pytest.mark.parametrize(
    "error",
    [
        BatchStoreError("bad batch id"),
        ZeroRowMergeError("0 rows merged from non-empty staging"),
        TypeError("merge_staging() got an unexpected keyword argument 'players_only'"),
        KeyError("player_lookup"),
    ],
)
def test_a_deterministic_error_fails_at_once_with_its_own_message(error):
    with pytest.raises(dg.Failure) as failure, retry_only_outages():
        raise error
    assert failure.value.allow_retries is False
    assert (
        type(error).__name__ in failure.value.description and str(error.args[0]) in failure.value.description
    )
    assert failure.value.__cause__ is error


def test_a_failure_the_asset_raised_itself_is_kept_as_it_is():
    own = dg.Failure("another run holds the consolidation lease", allow_retries=True)
    with pytest.raises(dg.Failure) as failure, retry_only_outages():
        raise own
    assert failure.value is own
