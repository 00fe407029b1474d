"""The console script (``nba_assets.entry:run``) keeps the CLI's exit codes and one-line errors."""

from __future__ import annotations

import subprocess
import sys

ENTRY = "import sys; from nba_assets.entry import run; sys.argv[0] = 'nba-assets'; run()"


def console_script(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *argv], capture_output=True, text=True, timeout=120, check=False
    )


def test_a_user_error_exits_2_with_one_line() -> None:
    out = console_script("run-day", "2025-13-45")
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("error:") and "Traceback" not in out.stderr


def test_help_exits_0() -> None:
    out = console_script("--help")
    assert out.returncode == 0 and "run-day" in out.stdout
