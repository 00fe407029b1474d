"""nba-assets serve: the local export folder (the tonight page and v1/) on 127.0.0.1 for a look.

The standard library's HTTP server is enough for one person's browser. A folder published before
the page existed still gets it: ``/`` serves the packaged page when ``index.html`` is absent.
"""

from __future__ import annotations

import argparse
import errno
import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from nba_assets.commands.common import console

HOST = "127.0.0.1"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="show tonight's files in a browser (127.0.0.1)", description=__doc__)
    p.add_argument(
        "--port", type=int, default=8080, help="port on 127.0.0.1 (default 8080; 0 picks a free one)"
    )
    p.add_argument(
        "--dir",
        type=Path,
        help="the export folder holding v1/ (default $NBA_ASSETS_HOME/exports, i.e. out/exports)",
    )
    p.set_defaults(handler=run)


class ExportHandler(SimpleHTTPRequestHandler):
    """Files of the export folder; no directory listings, no hidden files (the sink's temp and lock
    files), no caching (a reload after run-day shows the new day), no access log on the terminal."""

    def send_head(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if any(part.startswith(".") for part in path.split("/")):
            self.send_error(404)
            return None
        if path in ("/", "/index.html") and not (Path(self.directory) / "index.html").is_file():
            return self._packaged_page()
        if path.endswith("/") and path != "/":
            self.send_error(404)
            return None
        return super().send_head()

    def _packaged_page(self):
        import io

        from nba_assets.exports.page import page_bytes

        body = page_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass


def serve(folder: Path, port: int) -> ThreadingHTTPServer:
    """The bound server (not yet serving); a one-line error when the folder or the port is wrong."""
    if not (folder / "v1").is_dir():
        raise FileNotFoundError(
            f"no exports in {folder} (no v1/ folder): run `nba-assets run-day` first, or pass --dir"
        )
    if not 0 <= port <= 65535:
        raise ValueError(f"--port {port} is not a port number (0-65535)")
    handler = functools.partial(ExportHandler, directory=str(folder))
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ValueError(f"port {port} on {HOST} is already in use: choose another with --port") from None
        raise ValueError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    from nba_assets.environment import local_root

    folder = (args.dir or local_root() / "exports").resolve()
    server = serve(folder, args.port)
    url = f"http://{HOST}:{server.server_address[1]}/"
    console.print(f"serving {folder} at [bold]{url}[/bold] (Ctrl-C to stop)", highlight=False, soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.server_close()
    return 0
