"""Read an input (CSV, Parquet or a BigQuery table) into a frame indexed by 1-based file row."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from nba_assets.inputs.validation import InputValidationError, Problem

MAX_INPUT_BYTES = 512 * 1024 * 1024  # a slate or a season of box scores is far below this
_BQ_PREFIX = "bq://"


def read_source(source: str | Path) -> pd.DataFrame:
    """The raw rows of a file or ``bq://project.dataset.table``; unreadable input is one clear problem."""
    text = str(source)
    if text.startswith(_BQ_PREFIX):
        frame = _read_bigquery(text[len(_BQ_PREFIX) :])
    else:
        frame = _read_file(Path(source))
    frame = frame.reset_index(drop=True)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _fail(source: str, message: str) -> InputValidationError:
    return InputValidationError([Problem(source, None, None, None, message)])


def _read_file(path: Path) -> pd.DataFrame:
    name = str(path)
    if not path.is_file():
        raise _fail(name, "no such file")
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise _fail(name, f"file is {size:,} bytes, over the {MAX_INPUT_BYTES:,}-byte input limit")
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types for a corrupt file
            raise _fail(name, f"not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise _fail(name, "binary data where CSV text was expected")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(
            name, f"not UTF-8 text (bad byte at offset {exc.start}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise _fail(name, "file is empty")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise _fail(name, f"not a readable CSV file ({exc})".replace("\n", " ")) from None


def _read_bigquery(table: str) -> pd.DataFrame:
    from google.cloud import bigquery  # only the BigQuery input path needs the client

    parts = table.split(".")
    if len(parts) != 3 or not all(parts):
        raise _fail(_BQ_PREFIX + table, "expected bq://project.dataset.table")
    client = bigquery.Client(project=parts[0])
    return client.list_rows(table).to_dataframe()
