"""Inputs: loaders and the one validation step for box scores, slates and prop lines (DESIGN §7)."""

from nba_assets.inputs.validation import InputValidationError, Problem

__all__ = ["InputValidationError", "Problem"]
