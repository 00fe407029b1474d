"""One contract for every BatchStore: SQLite and Firestore (on the real emulator) must both pass.

Each test names the failure of the old coordinator it guards against (DESIGN §2).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nba_assets.batch_state import BatchState, BatchStore, BatchStoreError, CompletionStatus
from nba_assets.batch_state.base import statuses
from nba_assets.batch_state.gcp import FirestoreBatchStore
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.naming import batch_id_for, safe_key

pytestmark = pytest.mark.timeout(120)

DAY = date(2025, 1, 15)
OK, SKIP, FAIL = CompletionStatus.SUCCEEDED, CompletionStatus.SKIPPED, CompletionStatus.FAILED
AWKWARD = [
    "D'Angelo Russell",
    "Karl-Anthony Towns",
    "Nikola Jokić",
    "Gary Trent Jr.",
    "O.G. Anunoby",
    "a/b",
    "a.b",
    ".",
    "..",
    "__x__",
    "__.*__",
    "x" * 1500,
    "é" * 750,
    "1 starts-with-digit",
]


class Clock:
    """The stores' clock, moved by the tests instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2025, 1, 15, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def store(request, tmp_path, clock):
    if request.param == "sqlite":
        yield SqliteBatchStore(tmp_path / "batches.sqlite", clock=clock)
        return
    fs = request.getfixturevalue("firestore_emulator").fresh_store(clock=clock, retry_deadline=5)
    yield fs
    fs.client.close()


def reopened(store):
    """Another store object on the same backend: what a new process would see (L1)."""
    if isinstance(store, SqliteBatchStore):
        return SqliteBatchStore(store.path)
    return FirestoreBatchStore(store.client)


def open_day(store, players, day=DAY, **kwargs):
    players = dict.fromkeys(players, 0) if not isinstance(players, dict) else players
    return store.open_batch(batch_id_for(day, list(players)), day, players, **kwargs)


def stored_doc_ids(store, batch_id) -> set[str]:
    if isinstance(store, SqliteBatchStore):
        return {
            r[0]
            for r in store._conn().execute("SELECT doc_id FROM completions WHERE batch_id = ?", (batch_id,))
        }
    coll = store.client.collection("prediction_batches").document(batch_id).collection("completions")
    return {s.id for s in coll.select([]).stream()}


def test_both_backends_implement_the_protocol(store):
    assert isinstance(store, BatchStore)


def test_open_is_idempotent_and_survives_a_new_store_object(store, clock):
    first = open_day(store, {"a": 0, "b": 1}, correlation_id="c1", dataset_prefix="nba")
    clock.advance(minutes=5)
    again = open_day(store, {"b": 1, "a": 0})
    assert again == first
    assert reopened(store).get_batch(first.batch_id) == first
    assert (first.status, first.expected_count, first.expected_players) == (
        BatchState.OPEN,
        2,
        {"a": 0, "b": 1},
    )
    assert (first.correlation_id, first.dataset_prefix, first.created_at) == (
        "c1",
        "nba",
        clock.now - timedelta(minutes=5),
    )


def test_reopen_with_other_players_names_the_difference(store):
    batch = open_day(store, ["a", "b", "c"])
    with pytest.raises(BatchStoreError, match=r"added 'd'.*removed 'c'"):
        store.open_batch(batch.batch_id, DAY, {"a": 0, "b": 0, "d": 0})
    with pytest.raises(BatchStoreError, match=r"shard changed for 'b'"):
        store.open_batch(batch.batch_id, DAY, {"a": 0, "b": 3, "c": 0})
    assert store.get_batch(batch.batch_id).expected_players == {"a": 0, "b": 0, "c": 0}


def test_bad_requests_are_clear_errors(store):
    with pytest.raises(BatchStoreError, match="bYYYYMMDD"):
        store.open_batch("prediction_batches/x", DAY, {})
    with pytest.raises(BatchStoreError, match="does not belong"):
        store.open_batch(batch_id_for(DAY, []), date(2025, 1, 16), {})
    with pytest.raises(BatchStoreError, match="must map str to int"):
        store.open_batch(batch_id_for(DAY, ["a"]), DAY, {"a": "1"})
    with pytest.raises(BatchStoreError, match="unknown batch"):
        store.get_batch(batch_id_for(DAY, ["nobody"]))


def test_newer_slate_supersedes_the_open_batch_of_the_same_date(store):
    old = open_day(store, ["a", "b"])
    other_day = open_day(store, ["a"], day=date(2025, 1, 16))
    new = open_day(store, ["a", "b", "c"])
    assert store.get_batch(old.batch_id).status is BatchState.SUPERSEDED
    assert [b.batch_id for b in store.open_batches()] == [new.batch_id, other_day.batch_id]
    # the slate going back to the old players makes the old batch the day's batch again
    assert open_day(store, ["a", "b"]).status is BatchState.OPEN
    assert store.get_batch(new.batch_id).status is BatchState.SUPERSEDED


def test_empty_slate_is_complete_at_creation(store):  # L7
    batch = open_day(store, [])
    status = store.status(batch.batch_id)
    assert (status.expected, status.done, status.missing, status.is_complete) == (0, 0, (), True)


def test_completion_for_unknown_batch_or_player_is_an_error(store):
    batch = open_day(store, ["a"])
    with pytest.raises(BatchStoreError, match="unknown batch"):
        store.record_completion(batch_id_for(DAY, ["zz"]), "a", OK)
    with pytest.raises(BatchStoreError, match="'zz' is not in batch"):
        store.record_completion(batch.batch_id, "zz", OK)
    with pytest.raises(BatchStoreError, match="unknown completion status"):
        store.record_completion(batch.batch_id, "a", "done")
    assert store.completions(batch.batch_id) == []


def test_redelivered_completions_count_once(store):  # L3
    batch = open_day(store, ["a", "b", "c"])
    for _ in range(3):
        for player in ("a", "b", "c"):
            store.record_completion(batch.batch_id, player, OK, predictions=5, run_id="r1")
    status = store.status(batch.batch_id)
    assert (status.succeeded, status.skipped, status.failed, status.missing) == (3, 0, 0, ())
    assert len(store.completions(batch.batch_id)) == 3 and status.is_complete


def test_skipped_counts_as_done(store):  # L6
    batch = open_day(store, ["a", "b"])
    store.record_completion(batch.batch_id, "a", OK, predictions=5)
    done = store.record_completion(batch.batch_id, "b", SKIP, reason="no prop line")
    assert (done.status, done.reason) == (SKIP, "no prop line")
    status = store.status(batch.batch_id)
    assert (status.succeeded, status.skipped, status.done, status.is_complete) == (1, 1, 2, True)


def test_failed_then_succeeded_and_a_stale_failure_never_undoes_success(store, clock):
    batch = open_day(store, ["a", "b"])
    store.record_completion(batch.batch_id, "a", FAIL, reason="timeout")
    assert store.record_completion(batch.batch_id, "a", FAIL, reason="again").reason == "again"
    status = store.status(batch.batch_id)
    assert (status.failed, status.all_reported, status.is_complete, status.missing) == (
        1,
        False,
        False,
        ("b",),
    )
    clock.advance(seconds=1)
    store.record_completion(batch.batch_id, "a", OK, predictions=4, run_id="r2")
    clock.advance(seconds=1)
    kept = store.record_completion(batch.batch_id, "a", FAIL, reason="stale redelivery")
    assert (kept.status, kept.predictions, kept.run_id) == (OK, 4, "r2")
    store.record_completion(batch.batch_id, "b", SKIP, reason="no line")
    status = store.status(batch.batch_id)
    assert (status.succeeded, status.skipped, status.failed, status.is_complete) == (1, 1, 0, True)


def test_missing_lists_players_without_a_completion(store):
    batch = open_day(store, {"a": 0, "b": 1, "c": 1, "d": 2})
    store.record_completion(batch.batch_id, "b", OK)
    store.record_completion(batch.batch_id, "d", FAIL, reason="boom")
    status = store.status(batch.batch_id)
    assert (status.missing, status.reported, status.all_reported) == (("a", "c"), 2, False)


def test_statuses_of_many_batches_read_concurrently_match_one_by_one(store):
    """The completion sensor reads every open batch's status through ``statuses`` (threads)."""
    days = [date(2025, 1, d) for d in range(10, 16)]
    ids = [open_day(store, {"a": 0, "b": 1, f"p{d.day}": 1}, day=d).batch_id for d in days]
    for n, batch_id in enumerate(ids):
        for player in ("a", "b")[: n % 3]:
            store.record_completion(batch_id, player, OK)
    assert statuses(store, ids) == [store.status(batch_id) for batch_id in ids]
    assert [s.done for s in statuses(store, ids)] == [0, 1, 2, 0, 1, 2]
    assert statuses(store, []) == []


def test_last_activity_is_the_latest_write(store, clock):
    batch = open_day(store, ["a", "b"])
    assert store.status(batch.batch_id).last_activity == clock.now
    clock.advance(minutes=7)
    store.record_completion(batch.batch_id, "b", OK)
    assert store.status(batch.batch_id).last_activity == clock.now


def test_stall_retries_restart_the_stall_clock(store, clock):  # L5
    """The stall policy (consolidation/policy.decide) reads last_activity and stall_retries."""
    stuck = open_day(store, ["a", "b"])
    store.record_completion(stuck.batch_id, "a", OK)
    clock.advance(minutes=31)
    assert store.note_stall_retry(stuck.batch_id) == 1
    status = store.status(stuck.batch_id)
    assert (status.stall_retries, status.last_activity, status.missing) == (1, clock.now, ("b",))
    clock.advance(minutes=5)
    assert store.note_stall_retry(stuck.batch_id) == 2
    assert reopened(store).status(stuck.batch_id).last_activity == clock.now
    with pytest.raises(BatchStoreError, match="unknown batch"):
        store.note_stall_retry(batch_id_for(DAY, ["zz"]))


def stored_expiry(store, batch_id) -> set:
    """expire_at of the completion documents as stored (Firestore's TTL field)."""
    coll = store.client.collection("prediction_batches").document(batch_id).collection("completions")
    return {s.get("expire_at") if "expire_at" in (s.to_dict() or {}) else None for s in coll.stream()}


def test_retention_deletes_old_closed_batches_and_never_an_open_one(store, clock):
    week = timedelta(days=7)
    done = open_day(store, ["a", "b"])
    store.record_completion(done.batch_id, "a", OK, predictions=3)
    store.record_completion(done.batch_id, "b", SKIP)
    closed = store.mark_consolidated(done.batch_id, {"merged_rows": 3})
    assert closed.expire_at == clock.now + week
    replaced = open_day(store, ["c"], day=date(2025, 1, 14))
    store.record_completion(replaced.batch_id, "c", FAIL)
    newer = open_day(store, ["c", "d"], day=date(2025, 1, 14))  # supersedes `replaced`, stays open
    assert store.get_batch(replaced.batch_id).expire_at == clock.now + week
    assert store.get_batch(newer.batch_id).expire_at is None
    old_open = open_day(store, ["e"], day=date(2025, 1, 10))
    store.record_completion(old_open.batch_id, "e", FAIL)
    if isinstance(store, FirestoreBatchStore):  # the TTL field, a day later, is on every completion too
        ttl = clock.now + week + timedelta(days=1)
        assert stored_expiry(store, done.batch_id) == {ttl}
        assert stored_expiry(store, replaced.batch_id) == {ttl}
        assert stored_expiry(store, old_open.batch_id) == {None}
    clock.advance(days=6)
    recent = open_day(store, ["f"], day=date(2025, 1, 20))
    store.mark_consolidated(recent.batch_id, {})
    assert store.expired_batches() == []
    clock.advance(days=1, seconds=1)
    expired = [b.batch_id for b in store.expired_batches()]
    assert sorted(expired) == sorted([done.batch_id, replaced.batch_id])
    assert all(store.delete_expired(batch_id) for batch_id in expired)
    assert not store.delete_expired(done.batch_id)  # a second sweep finds nothing
    for batch_id in (newer.batch_id, old_open.batch_id, recent.batch_id):
        assert not store.delete_expired(batch_id)
        assert store.get_batch(batch_id).batch_id == batch_id
    assert store.completions(old_open.batch_id)[0].status is FAIL
    for batch_id in expired:
        with pytest.raises(BatchStoreError, match="unknown batch"):
            store.get_batch(batch_id)
        assert stored_doc_ids(store, batch_id) == set()
    assert store.batches_on(date(2025, 1, 14)) == [store.get_batch(newer.batch_id)]
    clock.advance(days=30)  # open batches never expire, however old
    assert [b.batch_id for b in store.expired_batches()] == [recent.batch_id]


def test_a_batch_reopened_after_listing_is_not_deleted(store, clock):
    first = open_day(store, ["a"])
    open_day(store, ["a", "b"])  # supersedes first
    clock.advance(days=8)
    (listed,) = store.expired_batches()
    assert listed.batch_id == first.batch_id
    again = open_day(store, ["a"])  # the slate went back: first is the date's open batch again
    assert again.status is BatchState.OPEN and again.expire_at is None
    assert not store.delete_expired(first.batch_id)
    assert store.get_batch(first.batch_id).status is BatchState.OPEN
    clock.advance(days=30)
    assert first.batch_id not in [b.batch_id for b in store.expired_batches()]


def test_one_consolidation_lease_per_date(store, clock):  # L9
    batch = open_day(store, ["a"])
    lease = store.claim_consolidation(DAY, batch.batch_id, "run-1", timedelta(minutes=10))
    assert lease is not None and (lease.run_id, lease.lease_until) == (
        "run-1",
        clock.now + timedelta(minutes=10),
    )
    assert store.claim_consolidation(DAY, batch.batch_id, "run-2", timedelta(minutes=10)) is None
    clock.advance(minutes=5)
    renewed = store.claim_consolidation(DAY, batch.batch_id, "run-1", timedelta(minutes=10))
    assert renewed.lease_until == clock.now + timedelta(minutes=10)
    store.release_consolidation(DAY, "run-2")  # not the holder: nothing happens
    assert store.claim_consolidation(DAY, batch.batch_id, "run-2", timedelta(minutes=10)) is None
    clock.advance(minutes=11)
    taken = store.claim_consolidation(DAY, batch.batch_id, "run-2", timedelta(minutes=10))
    assert taken is not None and taken.run_id == "run-2"
    store.release_consolidation(DAY, "run-2")
    assert store.claim_consolidation(DAY, batch.batch_id, "run-3", timedelta(minutes=1)).run_id == "run-3"
    with pytest.raises(BatchStoreError, match="does not belong"):
        store.claim_consolidation(date(2025, 1, 16), batch.batch_id, "run-4", timedelta(minutes=1))
    with pytest.raises(BatchStoreError, match="lease must be positive"):
        store.claim_consolidation(DAY, batch.batch_id, "run-3", timedelta(0))


@pytest.mark.parametrize("partial", [False, True])
def test_mark_consolidated_persists_the_result_and_closes_the_batch(store, partial):
    batch = open_day(store, ["a", "b"])
    store.record_completion(batch.batch_id, "a", OK, predictions=5)
    result = {"merged_rows": 5, "staging_tables": ["_staging_x"], "rows.by.system": {"ensemble": 1}}
    done = store.mark_consolidated(batch.batch_id, result, partial=partial)
    assert done.status is (BatchState.PARTIAL if partial else BatchState.CONSOLIDATED)
    assert reopened(store).get_batch(batch.batch_id).consolidation == result
    assert store.open_batches() == [] and done.is_closed
    with pytest.raises(BatchStoreError, match="JSON"):
        store.mark_consolidated(batch.batch_id, {"when": date(2025, 1, 1)})
    with pytest.raises(BatchStoreError, match="unknown batch"):
        store.mark_consolidated(batch_id_for(DAY, ["zz"]), {})


def test_awkward_names_round_trip_to_distinct_document_ids(store):  # L4
    batch = open_day(store, {name: i % 3 for i, name in enumerate(AWKWARD)})
    assert store.get_batch(batch.batch_id).expected_players == {name: i % 3 for i, name in enumerate(AWKWARD)}
    for name in AWKWARD:
        store.record_completion(batch.batch_id, name, OK, reason=name)
    assert stored_doc_ids(store, batch.batch_id) == {safe_key(n) for n in AWKWARD}
    assert len({safe_key(n) for n in AWKWARD}) == len(AWKWARD)
    assert sorted((c.player_lookup, c.reason) for c in store.completions(batch.batch_id)) == sorted(
        (n, n) for n in AWKWARD
    )
    assert reopened(store).status(batch.batch_id).is_complete


def test_delete_batch_removes_its_completions(store):
    batch = open_day(store, ["a", "b"])
    store.record_completion(batch.batch_id, "a", OK)
    store.delete_batch(batch.batch_id)
    with pytest.raises(BatchStoreError, match="unknown batch"):
        store.status(batch.batch_id)
    assert stored_doc_ids(store, batch.batch_id) == set()


_DELIVERY = st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(list(CompletionStatus)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deliveries=st.lists(_DELIVERY, max_size=12))
def test_any_delivery_order_ends_in_the_rule_s_state(store, deliveries):
    """Model: the last report wins, except that failed never replaces succeeded/skipped."""
    store.delete_batch(batch_id_for(DAY, ["a", "b", "c"]))  # examples share the store
    batch = open_day(store, ["a", "b", "c"])
    model: dict[str, CompletionStatus] = {}
    for player, status in deliveries:
        store.record_completion(batch.batch_id, player, status)
        if not (status is FAIL and model.get(player) in (OK, SKIP)):
            model[player] = status
    assert {c.player_lookup: c.status for c in store.completions(batch.batch_id)} == model
    got = store.status(batch.batch_id)
    want = [sum(s is k for s in model.values()) for k in (OK, SKIP, FAIL)]
    assert [got.succeeded, got.skipped, got.failed] == want
    assert got.missing == tuple(p for p in "abc" if p not in model)
