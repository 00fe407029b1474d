"""Hostile input against the input contracts, the CLI and the pipeline (Hypothesis).

Random bytes, wrong encodings, oversized files, names full of quotes, backticks, SQL and
Firestore path characters, NaN and infinities, impossible dates, placeholder 20.0 lines. Every
input either passes validation and then honours the contract, or fails with InputValidationError
naming the file (and row and column); the CLI prints one ``error:`` line, no trace, and writes
no output file; the pipeline writes nothing of the day (DESIGN §7).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import dagster as dg
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nba_assets.cli import main
from nba_assets.inputs import sources
from nba_assets.inputs.box_scores import load_box_scores
from nba_assets.inputs.lines import load_lines
from nba_assets.inputs.slates import load_slate
from nba_assets.inputs.validation import InputValidationError
from nba_assets_tests.reliability.conftest import DAY, local_env, open_day

pytestmark = pytest.mark.timeout(300)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

NASTY = [
    "Robert'); DROP TABLE player_prop_predictions;--",
    "`player_prop_predictions`",
    '"; DELETE FROM batches; --',
    "a/b",
    "../..",
    "__name__",
    "__.*__",
    ".",
    "..",
    "prediction_batches/x/completions/y",
    "x\x00y",
    "line\nbreak",
    " ",
    "",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "-1",
    "20.0",
    "0001-01-01",
    "9999-12-31",
    "2025-02-30",
    "1946-10-31",
    "2101-01-01",
    "null",
    "None",
    "D'Angelo Russell",
    "Nikola Jokić",
    "😀",
    "\u202e",
    "O.G. Anunoby",
    "Karl-Anthony Towns",
    "=cmd|' /C calc'!A0",
    "%s%s%n",
    "{{7*7}}",
    "$(rm -rf /)",
]
nasty = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
DATES = st.one_of(st.sampled_from(["2025-02-19", "2025-02-12"]), nasty)
LINES = st.one_of(st.sampled_from(["", "24.5", "20.0", "0.5", "80", "0.3", "81", "24.25"]), nasty)


def cells(good: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(good), nasty)


SLATE_ROW = st.fixed_dictionaries(
    {
        "game_date": DATES,
        "player_name": cells(["LeBron James", "Luka Dončić", "LaMelo Ball"]),
        "team": cells(["LAL", "CHA"]),
        "opponent": cells(["CHA", "LAL"]),
        "is_home": cells(["true", "false"]),
        "line": LINES,
    }
)
BOX_ROW = st.fixed_dictionaries(
    {
        "game_date": DATES,
        "game_id": cells(["0022400524"]),
        "player_id": cells(["2544", "1629029"]),
        "player_name": cells(["LeBron James", "Luka Dončić"]),
        "team": cells(["LAL"]),
        "opponent": cells(["CHA"]),
        "is_home": cells(["true", "false"]),
        "minutes": cells(["34.5", "0"]),
        "points": cells(["27", "0"]),
    }
)
LINE_ROW = st.fixed_dictionaries(
    {
        "game_date": DATES,
        "player_name": cells(["LeBron James", "LaMelo Ball"]),
        "line": LINES,
        "bookmaker": cells(["book", ""]),
        "over_price": cells(["-110", ""]),
    }
)


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def assert_clear(exc: InputValidationError, path: Path) -> None:
    """Every problem names the file; row-level ones their 1-based row and column."""
    assert exc.problems and all(p.source == str(path) for p in exc.problems)
    assert all(p.row is None or (p.row >= 1 and p.column) for p in exc.problems)
    assert str(exc).startswith(f"{len(exc.problems)} problem(s) in input:")


def assert_in_contract(frame, *, lines=None) -> None:
    assert frame["player_lookup"].str.fullmatch(r"[a-z0-9]+").all()
    assert all(date(1946, 11, 1) <= d <= date(2100, 12, 31) for d in frame["game_date"])
    for column in ("minutes", "points"):
        if column in frame:
            assert np.isfinite(frame[column]).all() and (frame[column] >= 0).all()
    if lines is not None and len(lines):
        values = lines["line"].astype(float)
        assert np.isfinite(values).all() and values.between(0.5, 80).all() and ((values * 2) % 1 == 0).all()


@FAST
@given(rows=st.lists(SLATE_ROW, min_size=1, max_size=5))
def test_slate_files_pass_whole_or_fail_clearly(tmp_path, rows):
    path = write_csv(tmp_path / "slate.csv", rows)
    try:
        slate, lines = load_slate(path)
    except InputValidationError as exc:
        assert_clear(exc, path)
        return
    assert_in_contract(slate, lines=lines)
    assert len(slate) == len(rows)  # nothing dropped silently


@FAST
@given(rows=st.lists(BOX_ROW, min_size=1, max_size=5))
def test_box_score_files_pass_whole_or_fail_clearly(tmp_path, rows):
    path = write_csv(tmp_path / "box.csv", rows)
    try:
        frame = load_box_scores([path])
    except InputValidationError as exc:
        assert_clear(exc, path)
        return
    assert_in_contract(frame)
    assert len(frame) == len(rows)


@FAST
@given(rows=st.lists(LINE_ROW, min_size=1, max_size=5))
def test_line_files_pass_whole_or_fail_clearly(tmp_path, rows):
    path = write_csv(tmp_path / "lines.csv", rows)
    try:
        frame = load_lines(path, "allow")
    except InputValidationError as exc:
        assert_clear(exc, path)
        return
    assert_in_contract(frame, lines=frame)


LOADERS = {"slate": load_slate, "box scores": lambda p: load_box_scores([p]), "lines": load_lines}


@FAST
@given(
    data=st.binary(max_size=800),
    suffix=st.sampled_from([".csv", ".parquet", ".txt"]),
    loader=st.sampled_from(sorted(LOADERS)),
)
def test_random_bytes_are_one_clear_problem(tmp_path, data, suffix, loader):
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    try:
        loaded = LOADERS[loader](path)
    except InputValidationError as exc:
        assert_clear(exc, path)
        return
    # only bytes that happen to be a valid file of the right shape get here: they honour the contract
    if loader == "slate":
        slate, lines = loaded
        assert_in_contract(slate, lines=lines)
    elif loader == "lines":
        assert_in_contract(loaded, lines=loaded)
    else:
        assert_in_contract(loaded)


@FAST
@given(
    name=st.text(min_size=1, max_size=20), encoding=st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"])
)
def test_wrong_encodings_are_named(tmp_path, name, encoding):
    text = f"game_date,player_name,team,opponent,is_home\n2025-02-19,José Calderón {name},DEN,LAL,true\n"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    path = tmp_path / "slate.csv"
    path.write_bytes(data)
    with pytest.raises(InputValidationError) as info:
        load_slate(path)
    assert_clear(info.value, path)
    assert re.search(r"not UTF-8 text \(bad byte at offset \d+\)|binary data where CSV text", str(info.value))


def test_oversized_files_are_refused_before_reading(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 4096)
    path = write_csv(
        tmp_path / "slate.csv",
        [
            {
                "game_date": "2025-02-19",
                "player_name": f"Player {i}",
                "team": "LAL",
                "opponent": "CHA",
                "is_home": "true",
            }
            for i in range(200)
        ],
    )
    with pytest.raises(InputValidationError, match=r"over the 4,096-byte input limit"):
        load_slate(path)
    out = tmp_path / "predictions.csv"
    assert main(["predict", "--slate", str(path), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "over the 4,096-byte input limit" in err and not out.exists()


def test_placeholder_lines_are_refused_when_asked_and_flagged_otherwise(tmp_path, capsys):
    rows = [
        {"game_date": "2025-02-19", "player_name": n, "line": "20.0"}
        for n in (
            "LeBron James",
            "Luka Doncic",
            "LaMelo Ball",
            "Austin Reaves",
            "Miles Bridges",
            "Mark Williams",
            "Rui Hachimura",
            "Dalton Knecht",
            "Josh Green",
        )
    ]
    lines = write_csv(tmp_path / "lines.csv", rows)
    slate = write_csv(
        tmp_path / "slate.csv",
        [
            {
                "game_date": "2025-02-19",
                "player_name": "LeBron James",
                "team": "LAL",
                "opponent": "CHA",
                "is_home": "true",
            }
        ],
    )
    out = tmp_path / "predictions.csv"
    code = main(
        [
            "predict",
            "--slate",
            str(slate),
            "--lines",
            str(lines),
            "--out",
            str(out),
            "--suspicious-lines",
            "reject",
            "--systems",
            "moving_average",
            "-q",
        ]
    )
    err = capsys.readouterr().err
    assert (
        code == 2 and "suspicious constant line" in err and "9 of 9 lines are 20" in err and not out.exists()
    )
    with pytest.warns(UserWarning, match="suspicious constant line"):
        load_lines(lines, "warn")


def cli_streams_are_clean(code: int, out: Path, streams: str) -> None:
    assert "Traceback" not in streams and "Stack Trace" not in streams
    if code == 0:
        assert out.exists()
        return
    assert code == 2, streams
    assert streams.lstrip().startswith("error:")
    assert not out.exists() and not out.with_name(out.name + ".tmp").exists()  # no partial output


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(SLATE_ROW, min_size=1, max_size=4))
def test_cli_predict_never_shows_a_trace_or_leaves_a_partial_file(tmp_path, capsys, rows):
    slate = write_csv(tmp_path / "slate.csv", rows)
    out = tmp_path / "out" / "predictions.csv"
    out.unlink(missing_ok=True)
    code = main(["predict", "--slate", str(slate), "--out", str(out), "--systems", "moving_average", "-q"])
    captured = capsys.readouterr()
    cli_streams_are_clean(code, out, captured.out + captured.err)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run-day", "2025-02-30"], "date '2025-02-30' is not YYYY-MM-DD"),
        (["run-day", "1900-01-01"], "Could not find a partition with key `1900-01-01`"),
        (["run-day", DAY, "--shards", "17"], "--shards 17 must be between 1 and 16"),
        (["predict", "--slate", "/nonexistent/slate.csv", "--out", "x.csv"], "no such file"),
    ],
)
def test_cli_errors_are_one_line(tmp_path, monkeypatch, capsys, argv, message):
    for key, value in local_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.chdir(tmp_path)
    code = main([*argv, "-q"])
    captured = capsys.readouterr()
    assert code in (1, 2) and message in captured.err
    assert "Traceback" not in captured.err + captured.out and "Stack Trace" not in captured.err + captured.out
    assert len(captured.err.strip().splitlines()) <= 2  # "error: ..." (an input error lists its problems)


def test_a_bad_slate_writes_nothing_of_the_day(tmp_path, monkeypatch):
    """The slate run fails on validation: no batch, no staging, no table rows, no export."""
    bad = write_csv(
        tmp_path / "slate.csv",
        [
            {
                "game_date": DAY,
                "player_name": "LeBron James",
                "team": "LAL",
                "opponent": "CHA",
                "is_home": "true",
                "line": "24.5",
            },
            {
                "game_date": DAY,
                "player_name": "Robert'); DROP TABLE player_prop_predictions;--",
                "team": "LAL",
                "opponent": "LAL",
                "is_home": "maybe",
                "line": "inf",
            },
        ],
    )
    monkeypatch.setenv("NBA_ASSETS_SLATES", str(bad))
    day = open_day(tmp_path, local_env(tmp_path), monkeypatch)
    try:
        run = day.defs.resolve_job_def("slate_job").execute_in_process(
            partition_key=DAY, instance=day.instance, raise_on_error=False
        )
        assert not run.success
        failure = next(e for e in run.all_events if e.is_step_failure)
        text = str(failure.step_failure_data.error.to_string())
        assert "row 2, column 'is_home'" in text and "row 2, column 'line': not a finite number" in text
        store, warehouse, sink = day.stores
        assert store.open_batches() == [] and sink.list("v1/") == []
        warehouse.ensure_schema()
        assert warehouse.predictions_for(date.fromisoformat(DAY)).num_rows == 0
        assert not (tmp_path / "out" / "staging").exists() or not any(
            (tmp_path / "out" / "staging").iterdir()
        )
        assert not day.instance.fetch_materializations(dg.AssetKey("slate"), limit=1).records
    finally:
        day.close()
