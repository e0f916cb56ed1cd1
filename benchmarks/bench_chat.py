"""Chat turn cost in the page: time from Enter to the reply and bytes each way, at question 1 and 16.

    python -P benchmarks/bench_chat.py                   # starts `hoidap serve` on a free port
    python -P benchmarks/bench_chat.py --url http://127.0.0.1:8000
    python -P benchmarks/bench_chat.py --turns 8         # a shorter run

Drives Debian's Chromium (playwright with `executable_path`), once on the local link and once over an
emulated 4 Mbps / 100 ms link (DevTools network conditions). Turn 16 asks turn 1's question again, so
the two are compared like for like. Bytes are what the network carried (compressed, headers included),
counted from DevTools' `loadingFinished` events of the requests that ended during the turn, and for
the event stream (open over several turns) from its chunks as they arrive. Prints
numbers; the goal (turn 16 under 3x turn 1's bytes, issue 25) is shown, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

GOAL_BYTES_RATIO = 3.0
SLOW_LINK = {"offline": False, "latency": 100, "downloadThroughput": 4e6 / 8, "uploadThroughput": 4e6 / 8}
CHROMIUM = ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))


def _questions(n: int) -> list[str]:
    text = (resources.files("hoidap.eval") / "gold.jsonl").read_text(encoding="utf-8")
    items = [json.loads(line) for line in text.splitlines() if line.strip()]
    qs = [x["question"] for x in items if x.get("split") == "test"] or [x["question"] for x in items]
    asked = qs[: n - 1]
    return [*asked, asked[0]] if n > 1 else asked


def run(url: str, questions: list[str], slow: bool) -> tuple[dict[str, float], list[dict[str, float]]]:
    from playwright.sync_api import sync_playwright

    exe = next((p for p in CHROMIUM if p and os.path.exists(p)), None)
    if exe is None:
        raise SystemExit("Chromium not found (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 1366, "height": 900})
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        if slow:
            cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
        tally = {"recv": 0.0, "sent": 0.0}
        urls: dict[str, str] = {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))

        def streamed(e: dict) -> bool:
            return "/queue/data" in urls.get(e["requestId"], "")

        def chunk(e: dict) -> None:
            if streamed(e):  # the event stream stays open over several turns: count it as it arrives
                tally["recv"] += e["dataLength"]  # (never compressed, so its length is what was carried)

        def finished(e: dict) -> None:
            if not streamed(e):
                tally["recv"] += e["encodedDataLength"]

        cdp.on("Network.dataReceived", chunk)
        cdp.on("Network.loadingFinished", finished)
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: tally.__setitem__("sent", tally["sent"] + len(e["request"].get("postData") or "")),
        )
        t0 = time.perf_counter()
        page.goto(url.rstrip("/") + "/ui/")
        page.wait_for_function("() => document.body.dataset.hdReady === '1'", timeout=180_000)
        page.wait_for_timeout(1000)
        load = {"seconds": time.perf_counter() - t0, "kb": tally["recv"] / 1024}
        turns = []
        for q in questions:
            tally["recv"] = tally["sent"] = 0.0
            before = page.locator("#hd-chat .hd-reply, #hd-chat .hd-error").count()
            page.locator("#hd-question textarea").fill(q)
            t = time.perf_counter()
            page.keyboard.press("Enter")
            page.wait_for_function(
                "n => document.querySelectorAll('#hd-chat .hd-reply, #hd-chat .hd-error').length > n",
                arg=before,
                timeout=120_000,
            )
            took = time.perf_counter() - t
            page.wait_for_timeout(1500)  # the turn's requests finish (their bytes land in this turn)
            turns.append({"seconds": took, "recv_kb": tally["recv"] / 1024, "sent_kb": tally["sent"] / 1024})
        browser.close()
    return load, turns


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a server already running (default: start `hoidap serve`)")
    ap.add_argument("--turns", type=int, default=16)
    args = ap.parse_args()
    # The server is started as the API benchmark starts it (a sibling script, imported read-only).
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_api import _free_port, _start_server  # noqa: PLC0415

    proc = None
    url = args.url
    tmp = tempfile.TemporaryDirectory(prefix="hoidap-bench-chat-")
    if url is None:
        port = _free_port()
        proc = _start_server(port, Path(tmp.name) / "serve.log", ui=True)
        url = f"http://127.0.0.1:{port}"
    try:
        questions = _questions(args.turns)
        print(f"{len(questions)} turns; the last asks the first question again")
        last_label = f"turn {len(questions)}"
        print(f"{'link':<14}{'page load':>16}{'turn 1':>28}{last_label:>28}{'bytes ratio':>14}")
        for name, slow in (("local", False), ("4 Mbps/100 ms", True)):
            load, turns = run(url, questions, slow)
            first, last = turns[0], turns[-1]
            ratio = last["recv_kb"] / first["recv_kb"] if first["recv_kb"] else float("nan")

            def cell(t: dict[str, float]) -> str:
                return f"{t['seconds']:.2f} s {t['recv_kb']:.1f}/{t['sent_kb']:.1f} KB"

            print(
                f"{name:<14}{load['seconds']:>7.2f} s {load['kb']:>5.0f} KB{cell(first):>28}{cell(last):>28}"
                f"{ratio:>10.2f} (goal < {GOAL_BYTES_RATIO:g})"
            )
            per_turn = " ".join(f"{t['seconds']:.2f}/{t['recv_kb']:.0f}" for t in turns)
            print("   per turn (s, KB received):", per_turn)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        tmp.cleanup()


if __name__ == "__main__":
    main()
