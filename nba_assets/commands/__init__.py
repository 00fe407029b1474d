"""CLI commands, one module each with ``register(subparsers)``."""

from nba_assets.commands import backfill, evaluate, ingest, predict, report, run_day, serve, status, train

COMMANDS = [predict, run_day, serve, backfill, ingest, report, train, evaluate, status]
