"""Input normalisation for the builders: one day's predictions, lines, games and recent points."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from nba_assets.exports.files import num, opt_num, opt_str
from nba_assets.game_day import TIMEZONE
from nba_assets.predictions.picks import NO_LINE, STATED, UNCALIBRATED, Picker
from nba_assets.predictions.runner import priced_lines
from nba_assets.rows import TABLE_COLUMNS

# The TABLE_COLUMNS the builders read (batch and lifecycle columns are not needed; is_active is
# honoured when present).
PREDICTION_COLUMNS = tuple(
    c for c in TABLE_COLUMNS if c not in ("batch_id", "is_active", "created_at", "updated_at")
)

LAST_N = 10


def as_frame(data: pa.Table | pd.DataFrame, required: tuple[str, ...], what: str) -> pd.DataFrame:
    frame = data.to_pandas() if isinstance(data, pa.Table) else data
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {', '.join(missing)}")
    return frame


def dates(series: pd.Series) -> pd.Series:
    """datetime.date values whatever the source typed them as (date32, datetime64, ISO strings)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.date
    first = series.dropna().iloc[0] if series.notna().any() else None
    if first is None or (isinstance(first, date) and not isinstance(first, pd.Timestamp)):
        return series
    return pd.to_datetime(series).dt.date


def day_predictions(predictions: pa.Table | pd.DataFrame, game_date: date) -> pd.DataFrame:
    """The active prediction rows of ``game_date``, in the one deterministic order."""
    frame = as_frame(predictions, PREDICTION_COLUMNS, "predictions")
    frame = frame[dates(frame["game_date"]) == game_date]
    if "is_active" in frame.columns:
        frame = frame[frame["is_active"].fillna(False).astype(bool)]
    # only the columns the files use, as plain Python objects: itertuples over pandas extension
    # arrays (string, timestamp) costs a __getitem__ per cell
    frame = pd.DataFrame(
        {
            c: (frame[c].astype("int64") if c == "line_key" else frame[c].astype(object))
            for c in PREDICTION_COLUMNS
        }
    )
    return frame.sort_values(
        ["game_id", "player_lookup", "system_id", "line_key"], kind="stable"
    ).reset_index(drop=True)


def day_lines(lines: pd.DataFrame | None, game_date: date) -> dict[str, list[dict[str, Any]]]:
    """Per player, the posted props sorted by (line, bookmaker); empty when no lines were given."""
    if lines is None or lines.empty:
        return {}
    frame = lines[dates(lines["game_date"]) == game_date]
    frame = frame.sort_values(["player_lookup", "line", "bookmaker"], kind="stable")
    out: dict[str, list[dict[str, Any]]] = {}
    for row in frame.itertuples(index=False):
        out.setdefault(row.player_lookup, []).append(
            {
                "line": num(row.line, 1),
                "bookmaker": opt_str(row.bookmaker),
                "over_price": opt_num(getattr(row, "over_price", None), 1),
                "under_price": opt_num(getattr(row, "under_price", None), 1),
            }
        )
    return out


def calibrated_fields(day: pd.DataFrame, lines: pd.DataFrame | None, picker: Picker | None) -> pd.DataFrame:
    """p_over, expected_value and calibration of each prediction row (``day``'s index).

    Recomputed with the picker the predictions were made with (the model version's stored
    calibration) at the day's real prices; the EV is the recommended side's (PASS: the better
    side's). Without a picker or a lines frame, or on a stand-in line: "uncalibrated", no numbers.
    """
    line = pd.to_numeric(day["points_line"], errors="coerce")
    out = pd.DataFrame(
        {
            "p_over": np.nan,
            "expected_value": np.nan,
            "calibration": np.where(line.isna(), NO_LINE, UNCALIBRATED),
        },
        index=day.index,
    )
    if picker is None or lines is None or lines.empty or day.empty or line.isna().all():
        return out
    game_date = day["game_date"].iloc[0]
    priced = priced_lines(lines[dates(lines["game_date"]) == dates(day["game_date"]).iloc[0]])
    rows = day[["player_lookup", "system_id", "predicted_points", "confidence", "recommendation"]].assign(
        game_date=game_date, points_line=line.astype(float), _row=day.index
    )
    rows = rows.merge(
        priced[["player_lookup", "line", "over_price", "under_price", "stand_in"]].rename(
            columns={"line": "points_line"}
        ),
        on=["player_lookup", "points_line"],
        how="left",
    )
    rows["stand_in"] = rows["stand_in"].fillna(True).astype(bool)  # a line no book posted today
    for column in ("predicted_points", "confidence"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
    for system_id, part in rows.groupby("system_id"):
        ev = picker.evaluate(part, str(system_id))
        side = np.where(
            part["recommendation"] == "OVER",
            ev["ev_over"],
            np.where(part["recommendation"] == "UNDER", ev["ev_under"], ev["expected_value"]),
        )
        known = ev["calibration"].isin(STATED).to_numpy()
        index = part["_row"].to_numpy()
        out.loc[index, "p_over"] = np.where(known, ev["p_over"], np.nan)
        out.loc[index, "expected_value"] = np.where(known, side, np.nan)
        out.loc[index, "calibration"] = ev["calibration"].to_numpy()
    return out


def main_line(lines: list[float]) -> float | None:
    """The line a headline prediction and a best bet refer to.

    The median of the player's distinct posted lines, snapped to the nearest posted line (the
    lower on a tie): with one book it is that book's line; with alternates around a main line it
    is the main line; it never invents a line nobody posted.
    """
    distinct = sorted(set(lines))
    if not distinct:
        return None
    median = float(np.median(distinct))
    return min(distinct, key=lambda v: (abs(v - median), v))


def games(
    slate: pd.DataFrame | None, predictions: pd.DataFrame, game_date: date
) -> dict[str, dict[str, Any]]:
    """game_id -> {home_team, away_team, tipoff}; from the slate, completed by prediction rows."""
    found: dict[str, dict[str, Any]] = {}
    sources = []
    if slate is not None and not slate.empty:
        sources.append(slate[dates(slate["game_date"]) == game_date])
    sources.append(predictions)
    for frame in sources:
        tipoffs = frame["tipoff"] if "tipoff" in frame.columns else pd.Series(None, index=frame.index)
        for gid, team, opp, home, tip in zip(
            frame["game_id"], frame["team"], frame["opponent"], frame["is_home"], tipoffs, strict=True
        ):
            if gid in found:
                continue
            home_team, away_team = (team, opp) if bool(home) else (opp, team)
            found[str(gid)] = {
                "home_team": str(home_team),
                "away_team": str(away_team),
                "tipoff": _tipoff(tip),
            }
    return found


def slate_games(slate: pd.DataFrame | None, game_date: date) -> list[str]:
    """The game ids the quality gate expects in the export."""
    if slate is None or slate.empty:
        return []
    return sorted({str(g) for g in slate.loc[dates(slate["game_date"]) == game_date, "game_id"]})


def last_points(
    box_scores: pd.DataFrame | None, players: list[str], game_date: date
) -> dict[str, list[dict]]:
    """Per player, the last ``LAST_N`` games strictly before ``game_date``, oldest first."""
    if box_scores is None or box_scores.empty or not players:
        return {}
    box = box_scores[box_scores["player_lookup"].isin(players)]
    box = box[dates(box["game_date"]) < game_date]
    box = box.sort_values(["player_lookup", "game_date"], kind="stable").groupby("player_lookup").tail(LAST_N)
    out: dict[str, list[dict]] = {}
    minutes = box["minutes"] if "minutes" in box.columns else pd.Series(np.nan, index=box.index)
    for lookup, day, opp, pts, mins in zip(
        box["player_lookup"], box["game_date"], box["opponent"], box["points"], minutes, strict=True
    ):
        out.setdefault(str(lookup), []).append(
            {
                "game_date": _iso(day),
                "opponent": str(opp),
                "points": points_value(pts),
                "minutes": _minutes(mins),
            }
        )
    return out


def points_value(points: Any) -> int | float | None:
    """Points are whole numbers; write them as such (23, not 23.0)."""
    if points is None or pd.isna(points):
        return None
    value = float(points)
    return int(value) if value.is_integer() else round(value, 1)


def _minutes(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else pd.Timestamp(value).date().isoformat()


def _tipoff(value: Any) -> str | None:
    """Tip-off in UTC; a slate's naive time is the league's (America/New_York, like the partitions)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize(TIMEZONE) if stamp.tzinfo is None else stamp
    stamp = stamp.tz_convert("UTC")
    return stamp.isoformat().replace("+00:00", "Z")
