"""CLI commands, one module each with ``register(subparsers)``."""

from nba_assets.commands import predict

COMMANDS = [predict]
