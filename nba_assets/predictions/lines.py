"""Turn a predicted total into an edge and a recommendation against each line."""

from __future__ import annotations

import numpy as np
import pandas as pd

# |edge| below this many points is a PASS: inside the book's margin at -110 prices.
EDGE_THRESHOLD = 1.5


def recommend(
    predicted: pd.Series, line: pd.Series, threshold: float = EDGE_THRESHOLD
) -> tuple[pd.Series, pd.Series]:
    """(edge, recommendation): OVER/UNDER when |edge| >= threshold, PASS under it, NO_LINE without one."""
    edge = (predicted - line).round(2)
    rec = np.where(
        line.isna(),
        "NO_LINE",
        np.where(edge >= threshold, "OVER", np.where(edge <= -threshold, "UNDER", "PASS")),
    )
    return edge, pd.Series(rec, index=predicted.index)
