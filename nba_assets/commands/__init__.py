"""CLI commands, one module each with ``register(subparsers)``."""

from nba_assets.commands import backfill, evaluate, predict, report, run_day, status, train

COMMANDS = [predict, run_day, backfill, report, train, evaluate, status]
