"""A preview web server for the published folder, behaving like a good podcast host.

GET and HEAD, byte ranges (206 with Content-Range; 416 when the range lies outside the file), the MIME types
podcast apps expect (audio/mpeg, text/vtt, application/x-subrip, application/json+chapters for *.chapters.json,
application/rss+xml for feed.xml), CORS headers on every data file (transcripts, chapters, feed, media) so web
players elsewhere may read them, index.html for folders, no directory listings, and nothing outside the folder
(no '..', no hidden files, no symlinks leading out).

    make_server(folder, host, port) -> SiteServer   (port 0: a free port; see .server_address and .url)
    serve(server)   blocks until Ctrl-C
"""

from __future__ import annotations

import email.utils
import logging
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.errors import InputError

log = logging.getLogger("pipeline.serve")

CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(Exception):
    pass


def content_type(name: str) -> str:
    """The Content-Type for a published file name."""
    lower = name.lower()
    if lower.endswith(".chapters.json"):
        return "application/json+chapters"
    if lower == "feed.xml" or lower.endswith(".rss"):
        return "application/rss+xml; charset=utf-8"
    return CONTENT_TYPES.get(Path(lower).suffix, "application/octet-stream")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range a Range header asks for, or None to send the whole file.

    None for no header, for syntax this server does not honour (other units, several ranges: RFC 9110 lets a
    server ignore Range) and for malformed values. RangeNotSatisfiable when the range starts past the end.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    end = int(last) if last else size - 1
    if start >= size:
        raise RangeNotSatisfiable
    return start, min(end, size - 1)


def _is_data_file(name: str) -> bool:
    return not name.lower().endswith(".html")


class SiteRequestHandler(BaseHTTPRequestHandler):
    server: "SiteServer"
    server_version = "BurgerPipeline"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        log.debug("%s %s", self.address_string(), format % args)

    # --- resolving a request path to a file inside the folder ---

    def _target(self) -> Path | None:
        raw = urlsplit(self.path).path
        path = unquote(raw)
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if any(p == ".." or p.startswith(".") for p in parts):
            return None
        root = self.server.root
        candidate = root.joinpath(*parts)
        try:
            resolved = candidate.resolve(strict=True)
        except (FileNotFoundError, RuntimeError, OSError):
            return None
        if resolved != root and not resolved.is_relative_to(root):
            return None
        return resolved

    # --- responses ---

    def _plain(self, status: HTTPStatus, text: str, head: bool, extra: dict[str, str] | None = None) -> None:
        body = (text + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges")

    def _serve(self, head: bool) -> None:
        target = self._target()
        if target is None:
            self._plain(HTTPStatus.NOT_FOUND, "Niet gevonden.", head)
            return
        if target.is_dir():
            path = urlsplit(self.path).path
            if not path.endswith("/"):
                self._plain(HTTPStatus.MOVED_PERMANENTLY, "Verplaatst.", head, {"Location": path + "/"})
                return
            target = target / "index.html"
            if not target.is_file():
                self._plain(HTTPStatus.NOT_FOUND, "Niet gevonden.", head)
                return
        if not target.is_file():
            self._plain(HTTPStatus.NOT_FOUND, "Niet gevonden.", head)
            return

        stat = target.stat()
        size = stat.st_size
        try:
            byte_range = parse_range(self.headers.get("Range"), size)
        except RangeNotSatisfiable:
            self._plain(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "Bereik valt buiten het bestand.", head,
                        {"Content-Range": f"bytes */{size}"})
            return
        start, end = byte_range if byte_range else (0, size - 1)
        length = end - start + 1 if size else 0

        self.send_response(HTTPStatus.PARTIAL_CONTENT if byte_range else HTTPStatus.OK)
        self.send_header("Content-Type", content_type(target.name))
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.send_header("ETag", f'"{size:x}-{stat.st_mtime_ns:x}"')
        self.send_header("Cache-Control", "no-cache")
        if byte_range:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        if _is_data_file(target.name):
            self._cors()
        self.end_headers()
        if head or length == 0:
            return
        try:
            with open(target, "rb") as handle:
                handle.seek(start)
                remaining = length
                while remaining > 0:
                    block = handle.read(min(1 << 16, remaining))
                    if not block:
                        break
                    self.wfile.write(block)
                    remaining -= len(block)
        except (BrokenPipeError, ConnectionResetError):
            log.debug("client closed the connection during %s", self.path)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def do_OPTIONS(self) -> None:  # noqa: N802 (CORS preflight, e.g. for a Range request from a web player)
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Range")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, address: tuple[str, int]):
        self.root = Path(root).resolve()
        super().__init__(address, SiteRequestHandler)

    def handle_error(self, request, client_address) -> None:
        """A listener who closes the tab or skips ahead drops the connection mid-response: normal for a media
        server, so no traceback (socketserver prints one to stderr by default). Anything else is logged."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            log.debug("%s closed the connection (%s)", client_address[0], type(error).__name__)
            return
        log.error("request from %s failed", client_address[0], exc_info=error)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = "localhost" if host in ("127.0.0.1", "::1") else host
        return f"http://{shown}:{port}/"


def make_server(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> SiteServer:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: folder not found; build the site first with: pipeline feed")
    try:
        return SiteServer(folder, (host, port))
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port "
                         f"or --host") from None


def serve(server: SiteServer) -> None:
    """Serve until Ctrl-C (the caller announces the address: cli.py prints it once)."""
    if not (server.root / "feed.xml").is_file():
        log.warning("%s has no feed.xml yet; build it with: pipeline feed", server.root)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.server_close()
