"""nba-assets: the command line for people. Rich output, one-line errors, no tracebacks."""

from __future__ import annotations

import argparse
import logging
import sys
import warnings

from rich.console import Console

from nba_assets.commands import COMMANDS
from nba_assets.inputs.validation import InputValidationError

err = Console(stderr=True, soft_wrap=True)


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nba-assets", description=__doc__)
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not args.verbose:
        # Dagster's notes for developers (beta APIs; slate_job's deliberately mixed backfill
        # policies: box_scores takes a range in one run, slate one date per run) are not for the
        # person at the terminal; -v shows them.
        warnings.filterwarnings("ignore", message=r".*(is currently in beta|varying BackfillPolicies)")
    try:
        return int(args.handler(args) or 0)
    except InputValidationError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        return 2
    except (UserError, ValueError, FileNotFoundError) as exc:
        err.print(f"[red]error:[/red] {' '.join(str(exc).split())}", markup=True, highlight=False)
        return 2
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:  # last resort: still one line, the trace only with --verbose
        if args.verbose:
            raise
        err.print(
            f"[red]error:[/red] {type(exc).__name__}: {' '.join(str(exc).split())} (run with -v for details)"
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
