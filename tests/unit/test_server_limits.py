"""Connection-level limits of `hoidap serve` (issue 22 §4): header deadline, connection cap, log throttle."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time

import pytest

from hoidap.api.server import RepeatFilter

APP = """
import sys
from hoidap.api.server import serve
from hoidap.settings import Settings

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})

serve(app, Settings(), "127.0.0.1", int(sys.argv[1]), "warning")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, timeout: float = 3.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        return data


@pytest.fixture
def server():
    port = _free_port()
    env = {**os.environ, "HOIDAP_HEADER_TIMEOUT_SECONDS": "1", "HOIDAP_MAX_CONNECTIONS": "8"}
    proc = subprocess.Popen([sys.executable, "-c", APP, str(port)], env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if _get(port).startswith(b"HTTP/1.1 200"):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("server did not start")
    yield port
    proc.terminate()
    proc.wait(10)


def _closed_by_server(s: socket.socket, within: float) -> bool:
    s.settimeout(within)
    try:
        return s.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_connection_that_never_finishes_its_headers_is_closed(server):
    with socket.create_connection(("127.0.0.1", server)) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: local")  # and then nothing
        assert _closed_by_server(s, 5.0)


def test_headers_sent_slowly_do_not_reset_the_deadline(server):
    with socket.create_connection(("127.0.0.1", server)) as s:
        start = time.monotonic()
        closed = False
        for ch in b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 40:
            try:
                s.sendall(bytes([ch]))
            except OSError:
                closed = True
                break
            if _closed_by_server(s, 0.2):
                closed = True
                break
        assert closed and time.monotonic() - start < 5.0


def test_idle_connections_beyond_the_cap_do_not_stop_the_server(server):
    idle = [socket.create_connection(("127.0.0.1", server)) for _ in range(30)]
    try:
        # Over the cap they are closed at once; the rest after the header deadline, then it answers.
        assert any(_closed_by_server(s, 0.5) for s in idle[8:])
        time.sleep(1.5)
        assert _get(server).startswith(b"HTTP/1.1 200")
    finally:
        for s in idle:
            s.close()


def test_complete_requests_still_answered_with_keep_alive(server):
    with socket.create_connection(("127.0.0.1", server), timeout=3) as s:
        for _ in range(2):
            s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            data = b""
            while not data.endswith(b"ok"):
                data += s.recv(4096)
            assert data.startswith(b"HTTP/1.1 200")


def test_repeat_filter_lets_a_burst_through_then_drops():
    f = RepeatFilter(burst=3, window=60)
    rec = logging.LogRecord(
        "asyncio", logging.ERROR, __file__, 1, "socket.accept() out of system resource", (), None
    )
    other = logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "another message", (), None)
    assert [f.filter(rec) for _ in range(5)] == [True, True, True, False, False]
    assert f.filter(other)
