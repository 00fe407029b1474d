"""Prediction systems, training, grading and the backtest on the bundled real sample."""
