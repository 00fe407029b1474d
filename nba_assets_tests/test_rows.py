"""The row contract's deterministic ids (L11): pinned values, so a random or re-keyed id fails here."""

from __future__ import annotations

from datetime import date

from nba_assets.rows import line_key, prediction_id

DAY = date(2025, 2, 12)


def test_prediction_id_is_a_pinned_uuid5_of_the_merge_key():
    # Pinned literals: a uuid4, a changed namespace or a changed key layout all change these values,
    # and a re-run of a day would then rewrite every prediction_id in the table.
    assert prediction_id(DAY, "0022400745", "nikolajokic", "moving_average", 24.5) == (
        "7cc87ba1-816d-556b-abe6-3717268450c4"
    )
    assert prediction_id(DAY, "0022400745", "nikolajokic", "moving_average", None) == (
        "50c64f0c-0806-574e-83c6-c2f9096c695b"
    )


def test_prediction_id_separates_every_key_part_and_ignores_nothing_else():
    base = (DAY, "0022400745", "nikolajokic", "moving_average", 24.5)
    variants = [
        (date(2025, 2, 13), *base[1:]),
        (DAY, "0022400746", *base[2:]),
        (*base[:2], "jamalmurray", *base[3:]),
        (*base[:3], "matchup", 24.5),
        (*base[:4], 25.0),  # 24.5 and 25 never collide (L10)
        (*base[:4], None),
    ]
    ids = {prediction_id(*v) for v in [base, *variants]}
    assert len(ids) == len(variants) + 1
    assert prediction_id(*base) == prediction_id(*base[:4], 24.50)  # same line_key, same id
    assert line_key(24.5) == 245 and line_key(None) == -1
