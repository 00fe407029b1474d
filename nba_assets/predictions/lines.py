"""Edge sizes: how far a prediction sits from a line, and the plain edge-threshold rule.

The pipeline's recommendations are picks by expected value (``picks.Picker``). ``recommend`` is
the simple rule (OVER/UNDER when |edge| >= threshold) that test fixtures use to build
prediction rows without a predictive distribution; the report buckets picks by |edge| too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# |edge| buckets of the report start here: inside the book's margin at -110 prices.
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
