"""Issue 22: the page never reads a server file a client names, and one request cannot stop the server.

Everything goes through a live uvicorn server and Gradio's queue (`/ui/gradio_api/queue/join`), as a
browser or a hostile client does: the earlier test only called the handler's own check.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hoidap.api.app import create_app
from hoidap.service.qa import QAService
from hoidap.ui.app import mount

CANARY = "hoidap-canary-" + uuid.uuid4().hex


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Live:
    def __init__(self, app) -> None:
        import uvicorn

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> _Live:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def _serve(service: QAService) -> _Live:
    app = create_app(service)
    mount(app, service)
    return _Live(app)


@pytest.fixture(scope="module")
def live(service) -> Iterator[_Live]:
    with _serve(service) as server:
        yield server


@pytest.fixture(scope="module")
def keyed(service, settings) -> Iterator[_Live]:
    """The same service behind read/admin keys."""
    own = settings.model_copy(update={"api_keys_read": "khoa-doc-123456", "api_keys_admin": "khoa-qt-123456"})
    original = service.settings
    service.settings = own  # the page and the API read their keys from the service's settings
    try:
        with _serve(service) as server:
            yield server
    finally:
        service.settings = original


def _fn_index(url: str, api_name: str, cookies: httpx.Cookies | None = None) -> int:
    cfg = httpx.get(f"{url}/ui/config", cookies=cookies, timeout=30).json()
    return next(d["id"] for d in cfg["dependencies"] if d.get("api_name") == api_name)


def _join(url: str, fn_index: int, path: str, cookies: httpx.Cookies | None = None) -> httpx.Response:
    payload = {
        "data": [{"path": path, "orig_name": "van-ban.txt", "meta": {"_type": "gradio.FileData"}}],
        "event_data": None,
        "fn_index": fn_index,
        "trigger_id": None,
        "session_hash": uuid.uuid4().hex[:10],
    }
    return httpx.post(f"{url}/ui/gradio_api/queue/join", json=payload, cookies=cookies, timeout=30)


def _gradio_copies(name: str) -> list[Path]:
    from gradio.utils import get_upload_folder

    return list(Path(get_upload_folder()).rglob(name))


@pytest.mark.parametrize("api_name", ["preview_upload", "upload"])
def test_outside_path_is_refused_before_gradio_reads_it(live, tmp_path, api_name):
    secret = tmp_path / f"{CANARY}.txt"
    secret.write_text(f"KẾ HOẠCH bí mật {CANARY}\n1. Sở Tài chính chủ trì.\n", encoding="utf-8")
    r = _join(live.url, _fn_index(live.url, api_name), str(secret))
    assert r.status_code == 403
    assert CANARY not in r.text and str(tmp_path) not in r.text
    assert not _gradio_copies(secret.name)  # Gradio never copied it into its cache
    hits = httpx.get(f"{live.url}/search", params={"q": CANARY}, timeout=30).json()
    assert all(CANARY not in h["quote"] for h in hits)


def test_special_file_does_not_stop_the_server(live):
    fn = _fn_index(live.url, "preview_upload")
    result: dict[str, httpx.Response] = {}
    t = threading.Thread(target=lambda: result.setdefault("r", _join(live.url, fn, "/dev/zero")))
    t.start()
    started = time.monotonic()
    health = httpx.get(f"{live.url}/health", timeout=5)
    assert health.status_code == 200 and time.monotonic() - started < 5
    t.join(timeout=10)
    assert result["r"].status_code == 403


def test_symlink_into_upload_folder_pointing_out_is_refused(live, tmp_path):
    from gradio.utils import get_upload_folder

    secret = tmp_path / "secret.txt"
    secret.write_text(CANARY, encoding="utf-8")
    link_dir = Path(get_upload_folder()) / uuid.uuid4().hex
    link_dir.mkdir(parents=True)
    link = link_dir / "link.txt"
    link.symlink_to(secret)
    r = _join(live.url, _fn_index(live.url, "preview_upload"), str(link))
    assert r.status_code == 403 and CANARY not in r.text


def test_a_real_upload_still_reaches_the_preview(live):
    body = "KẾ HOẠCH thử nghiệm\n1. Sở Tài chính chủ trì, hoàn thành trong năm 2026.\n".encode()
    up = httpx.post(
        f"{live.url}/ui/gradio_api/upload", files={"files": ("ke-hoach.txt", body, "text/plain")}, timeout=30
    )
    assert up.status_code == 200
    path = up.json()[0]
    r = _join(live.url, _fn_index(live.url, "preview_upload"), path)
    assert r.status_code == 200 and "event_id" in r.json()


def test_keys_do_not_open_the_path(keyed, tmp_path):
    secret = tmp_path / f"{CANARY}-k.txt"
    secret.write_text(CANARY, encoding="utf-8")
    cookies = httpx.post(
        f"{keyed.url}/ui/login", data={"username": "doc", "password": "khoa-doc-123456"}, timeout=30
    ).cookies
    for jar in (None, cookies):
        r = _join(keyed.url, _fn_index(keyed.url, "preview_upload", jar) if jar else 0, str(secret), jar)
        assert r.status_code in (401, 403) and CANARY not in r.text
    assert not _gradio_copies(secret.name)


def test_foreign_host_and_origin_get_no_grant(live):
    assert (
        httpx.get(f"{live.url}/health", headers={"host": "attacker.example"}, timeout=10).status_code == 400
    )
    r = httpx.get(f"{live.url}/ui/config", headers={"origin": "https://evil.example"}, timeout=10)
    assert "access-control-allow-origin" not in r.headers
    assert (
        r.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in r.headers["content-security-policy"]
    )
    pre = httpx.options(
        f"{live.url}/ui/gradio_api/queue/join",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        timeout=10,
    )
    assert pre.status_code == 403 and "access-control-allow-origin" not in pre.headers
    same = httpx.get(f"{live.url}/health", headers={"origin": live.url}, timeout=10)
    assert same.status_code == 200 and same.headers["x-content-type-options"] == "nosniff"


def test_page_login_locks_out_after_repeated_wrong_keys(keyed):
    limiter = keyed.server.config.app.state.key_failures
    try:
        codes = [
            httpx.post(
                f"{keyed.url}/ui/login", data={"username": "doc", "password": f"sai-{i}"}, timeout=30
            ).status_code
            for i in range(11)
        ]
        assert codes[:10] == [400] * 10 and codes[10] == 429
        # Locked out: even the right key waits, so guessing costs a minute per ten tries.
        right = httpx.post(
            f"{keyed.url}/ui/login", data={"username": "doc", "password": "khoa-doc-123456"}, timeout=30
        )
        assert right.status_code == 429 and "đợi" in right.json()["error"]
    finally:
        limiter.succeeded("127.0.0.1")


def test_uploads_beyond_the_folder_quota_are_refused(service, settings):
    from gradio.utils import get_upload_folder

    from hoidap.api.guards import folder_bytes

    # Other tests share Gradio's folder: the quota is what it holds now plus room for one small upload.
    own = settings.model_copy(update={"upload_quota_bytes": folder_bytes(Path(get_upload_folder())) + 65536})
    original = service.settings
    service.settings = own
    filler = Path(get_upload_folder()) / uuid.uuid4().hex / "filler.bin"
    filler.parent.mkdir(parents=True)
    try:
        with _serve(service) as server:
            body = {"files": ("ke-hoach.txt", "KẾ HOẠCH\n1. Thử.\n".encode(), "text/plain")}
            assert httpx.post(f"{server.url}/ui/gradio_api/upload", files=body, timeout=30).status_code == 200
            filler.write_bytes(b"\0" * 131072)
            full = httpx.post(f"{server.url}/ui/gradio_api/upload", files=body, timeout=30)
            assert full.status_code == 507 and "đầy" in full.json()["error"]
            assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200
    finally:
        service.settings = original
        filler.unlink(missing_ok=True)
