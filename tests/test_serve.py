"""pipeline.serve over real HTTP on 127.0.0.1 (a free port): ranges, HEAD, types, CORS, no way out of the folder."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path

import pytest

from pipeline.config import load_show
from pipeline.errors import InputError
from pipeline.publish import build_site
from pipeline.serve import RangeNotSatisfiable, make_server, parse_range
from tests.publishing import make_episode, make_show

SLUG = "2024-06-13-burger-centraal"
EP = f"/episodes/{SLUG}"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("show")
    make_show(folder)
    make_episode(folder)
    feed = build_site(load_show(folder / "config.toml")).parent
    (folder / "secret.txt").write_text("not for the web")
    (feed / "link-out.txt").symlink_to(folder / "secret.txt")
    return feed


@pytest.fixture(scope="module")
def server(site):
    srv = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def request(server, method: str, path: str, headers: dict | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.putrequest(method, path, skip_accept_encoding=True)  # path sent exactly as given
    for key, value in (headers or {}).items():
        connection.putheader(key, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


# ---------------------------------------------------------------- the Range rule (pure)


@pytest.mark.parametrize("header, expected", [
    (None, None), ("bytes=0-99", (0, 99)), ("bytes=100-", (100, 999)), ("bytes=-100", (900, 999)),
    ("bytes=990-2000", (990, 999)), ("bytes=-5000", (0, 999)), ("bytes=5-1", None), ("items=0-1", None),
    ("bytes=0-1,5-6", None), ("bytes=-", None), ("bytes=abc", None),
])
def test_parse_range(header, expected):
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_parse_range_outside_the_file(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)


# ---------------------------------------------------------------- over HTTP


def test_range_request_returns_206_and_exactly_the_requested_bytes(server, site):
    data = (site / "episodes" / SLUG / f"{SLUG}.mp3").read_bytes()
    for header, (start, end) in {"bytes=100-1099": (100, 1099), "bytes=2000-": (2000, len(data) - 1),
                                 "bytes=-500": (len(data) - 500, len(data) - 1)}.items():
        response, body = request(server, "GET", f"{EP}/{SLUG}.mp3", {"Range": header})
        assert response.status == 206, header
        assert response.getheader("Content-Range") == f"bytes {start}-{end}/{len(data)}"
        assert int(response.getheader("Content-Length")) == end - start + 1
        assert body == data[start:end + 1]


def test_whole_file_and_unsatisfiable_range(server, site):
    data = (site / "episodes" / SLUG / f"{SLUG}.mp3").read_bytes()
    response, body = request(server, "GET", f"{EP}/{SLUG}.mp3")
    assert response.status == 200 and body == data
    assert response.getheader("Accept-Ranges") == "bytes"
    response, _ = request(server, "GET", f"{EP}/{SLUG}.mp3", {"Range": f"bytes={len(data)}-"})
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{len(data)}"


def test_head_gives_the_headers_without_a_body(server, site):
    size = (site / "episodes" / SLUG / f"{SLUG}.mp3").stat().st_size
    response, body = request(server, "HEAD", f"{EP}/{SLUG}.mp3")
    assert response.status == 200 and body == b""
    assert int(response.getheader("Content-Length")) == size
    assert response.getheader("Content-Type") == "audio/mpeg"
    assert response.getheader("Last-Modified")
    response, body = request(server, "HEAD", f"{EP}/{SLUG}.mp3", {"Range": "bytes=0-9"})
    assert response.status == 206 and body == b"" and response.getheader("Content-Length") == "10"


@pytest.mark.parametrize("name, mime", [
    (f"{SLUG}.vtt", "text/vtt"), (f"{SLUG}.srt", "application/x-subrip"),
    (f"{SLUG}.chapters.json", "application/json+chapters"), (f"{SLUG}.transcript.json", "application/json"),
    (f"{SLUG}.txt", "text/plain"),
])
def test_transcripts_and_chapters_have_their_types_and_cors(server, site, name, mime):
    response, body = request(server, "GET", f"{EP}/{name}", {"Origin": "https://app.example.org"})
    assert response.status == 200
    assert response.getheader("Content-Type").split(";")[0] == mime
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert body == (site / "episodes" / SLUG / name).read_bytes()


def test_feed_pages_and_cover_types(server):
    for path, mime in {"/feed.xml": "application/rss+xml", "/": "text/html", f"{EP}/": "text/html",
                       "/cover.png": "image/png", "/static/site.css": "text/css",
                       "/static/site.js": "text/javascript"}.items():
        response, body = request(server, "GET", path)
        assert response.status == 200, path
        assert response.getheader("Content-Type").split(";")[0] == mime, path
    response, _ = request(server, "GET", EP)
    assert response.status == 301 and response.getheader("Location") == f"{EP}/"


def test_cors_preflight(server):
    response, _ = request(server, "OPTIONS", f"{EP}/{SLUG}.vtt",
                          {"Origin": "https://app.example.org", "Access-Control-Request-Method": "GET",
                           "Access-Control-Request-Headers": "range"})
    assert response.status == 204
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert "Range" in response.getheader("Access-Control-Allow-Headers")


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", f"{EP}/..%2f..%2f..%2fsecret.txt", "/episodes/../../secret.txt",
    "/link-out.txt", "/%2fetc%2fpasswd", "/..\\secret.txt", "/static/", "/missing.mp3",
])
def test_nothing_outside_the_folder_and_no_listings(server, path):
    response, body = request(server, "GET", path)
    assert response.status == 404, path
    assert b"not for the web" not in body and b"root:" not in body


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="pipeline feed"):
        make_server(tmp_path / "feed", "127.0.0.1", 0)


def test_a_port_in_use_is_a_clear_error(server, site):
    with pytest.raises(InputError, match="--port"):
        make_server(site, "127.0.0.1", server.server_address[1])


def test_the_cli_server_says_where_once_and_survives_listeners_who_hang_up(tmp_path):
    """`pipeline serve` as a producer runs it: the start line once, and clients that drop the connection (mid
    download, mid request, idle after a response: what browsers and players do) leave no traceback on stderr."""
    import os
    import re
    import signal
    import socket
    import struct
    import subprocess
    import sys

    site = tmp_path / "feed"
    site.mkdir()
    (site / "feed.xml").write_text("<rss/>")
    (site / "big.mp3").write_bytes(os.urandom(1 << 20) * 24)  # 24 MiB: far more than the socket buffers hold
    # Ctrl-C as at a terminal, also when the tests run as a background job (which starts with SIGINT ignored,
    # and a child inherits that)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--folder", str(site), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stdout.readline()
        port = int(re.search(r"http://localhost:(\d+)/", first).group(1))

        def hang_up(payload: bytes, read: int = 0) -> None:
            client = socket.create_connection(("127.0.0.1", port), timeout=10)
            client.sendall(payload)
            received = 0
            while received < read:
                received += len(client.recv(65536))
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST
            client.close()

        get = b"GET /big.mp3 HTTP/1.1\r\nHost: localhost\r\n\r\n"
        for _ in range(3):
            hang_up(get, read=256 * 1024)  # mid download
        hang_up(b"GET /big.mp3 HTTP/1.1\r\nHost: loc")  # mid request
        hang_up(b"GET /feed.xml HTTP/1.1\r\nHost: localhost\r\n\r\n", read=10)  # idle keep-alive connection
        hang_up(b"GET /big.mp3 HTTP/1.1\r\nRange: bytes=0-\r\nHost: localhost\r\n\r\n", read=1)
        response, body = request(type("S", (), {"server_address": ("127.0.0.1", port)}), "GET", "/feed.xml")
        assert response.status == 200 and body == b"<rss/>"  # still serving
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    output = first + stdout + stderr
    assert len(re.findall(r"(?i)serving ", output)) == 1, output
    for sign in ("Traceback", "ConnectionResetError", "BrokenPipeError", "Exception occurred"):
        assert sign not in stderr, stderr
