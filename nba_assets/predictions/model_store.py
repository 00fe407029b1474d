"""Where trained models live: ``<root>/<version>/`` (model, metadata, calibration) and ``latest``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

MODEL_FILE, META_FILE, LATEST = "model.txt", "metadata.json", "latest"


def version_dir(model_dir: Path | None) -> Path | None:
    """The version directory to load: ``model_dir`` itself, its ``latest`` pointer, or the newest.

    The pointer decides (a rollback is just re-pointing it); without a valid one the newest
    training window (then name) wins, so a lost pointer is not an error. None: no model at all.
    """
    if model_dir is None or not model_dir.is_dir():
        return None
    if (model_dir / MODEL_FILE).is_file():
        return model_dir
    pointer = model_dir / LATEST
    if pointer.is_file():
        named = model_dir / pointer.read_text().strip()
        if (named / MODEL_FILE).is_file():
            return named
    versions = [d for d in model_dir.iterdir() if (d / MODEL_FILE).is_file() and (d / META_FILE).is_file()]
    if not versions:
        return None
    return max(versions, key=lambda d: (read_metadata(d).get("train_end", ""), d.name))


def read_metadata(directory: Path) -> dict:
    try:
        return json.loads((directory / META_FILE).read_text())
    except (OSError, ValueError):
        return {}


def point_latest(model_dir: Path, version: str) -> None:
    """Write the pointer atomically, so a reader sees the old or the new version, never half."""
    tmp = model_dir / (LATEST + ".tmp")
    tmp.write_text(version + "\n")
    tmp.replace(model_dir / LATEST)


def version_before(model_dir: Path | None, day: date) -> Path | None:
    """The model to predict ``day`` with: the newest version trained only on games before it.

    A backfill of a past season must not use a model that saw that season; ``latest`` wins when it
    qualifies (a rollback stays a re-point), else the newest qualifying training window.
    """
    if model_dir is None or not model_dir.is_dir():
        return None
    if (model_dir / MODEL_FILE).is_file():
        return model_dir if read_metadata(model_dir).get("train_end", "") < day.isoformat() else None
    train_end = {
        d: read_metadata(d).get("train_end", "") for d in model_dir.iterdir() if (d / MODEL_FILE).is_file()
    }
    qualifying = {d: end for d, end in train_end.items() if "" < end < day.isoformat()}
    if not qualifying:
        return None
    latest = version_dir(model_dir)
    if latest in qualifying:
        return latest
    return max(qualifying, key=lambda d: (qualifying[d], d.name))
