"""Prediction systems and their evaluation: pure Python, no Dagster or cloud imports (DESIGN §5)."""
