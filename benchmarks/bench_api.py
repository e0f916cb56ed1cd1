"""Load benchmark of the running API: sequential /ask latency, concurrent clients, server RSS.

    python -m service.bench                 # starts `hoidap serve --no-ui` on a free port, then measures
    python -m service.bench --url http://127.0.0.1:8000 --pid 1234   # measure a server already running

Prints numbers; goals are shown next to them but never fail the run (machines are shared).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

GOALS = {"p50_ms": 60.0, "p95_ms": 150.0, "rss_mb": 2048.0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _questions(gold: Path) -> list[str]:
    with open(gold, encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


def sequential(url: str, questions: list[str]) -> dict[str, float]:
    """Each question once, one after another; latency measured at the client."""
    times: list[float] = []
    errors = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        client.post("/ask", json={"question": questions[0]})  # warm-up: first query loads lazy parts
        for q in questions:
            t0 = time.perf_counter()
            r = client.post("/ask", json={"question": q})
            times.append((time.perf_counter() - t0) * 1000)
            errors += r.status_code != 200
    return {
        "requests": len(times),
        "errors": errors,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
    }


def concurrent(url: str, questions: list[str], clients: int, seconds: float) -> dict[str, float]:
    """`clients` threads asking in a loop for `seconds`; counts responses and errors."""
    stop = time.monotonic() + seconds
    counts = {"ok": 0, "errors": 0}
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(offset: int) -> None:
        i = offset
        with httpx.Client(base_url=url, timeout=60) as client:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    ok = (
                        client.post("/ask", json={"question": questions[i % len(questions)]}).status_code
                        == 200
                    )
                except httpx.HTTPError:
                    ok = False
                with lock:
                    counts["ok" if ok else "errors"] += 1
                    latencies.append((time.perf_counter() - t0) * 1000)
                i += clients

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "responses": counts["ok"],
        "errors": counts["errors"],
        "throughput_rps": round(counts["ok"] / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": round(_percentile(latencies, 0.95), 1) if latencies else 0.0,
    }


def _start_server(port: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "service.cli",
        "serve",
        "--no-ui",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("hoidap serve exited; is the index built? (hoidap index)")
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the server did not become healthy within 180 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an already running server (default: start one)")
    parser.add_argument("--pid", type=int, help="pid of that server, for RSS")
    parser.add_argument(
        "--gold", type=Path, default=Path(__file__).resolve().parent.parent / "eval" / "gold.jsonl"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    proc = None
    url, pid = args.url, args.pid
    if url is None:
        port = _free_port()
        proc = _start_server(port)
        url, pid = f"http://127.0.0.1:{port}", proc.pid
    try:
        questions = _questions(args.gold)
        seq = sequential(url, questions)
        conc = concurrent(url, questions, args.clients, args.seconds)
        rss = round(_rss_mb(pid), 1) if pid else None
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    result = {"sequential": seq, "concurrent": conc, "server_rss_mb": rss, "cpu_count": os.cpu_count()}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    mark = lambda ok: "PASS" if ok else "MISS"  # noqa: E731
    print(f"Sequential /ask over {seq['requests']} gold questions ({seq['errors']} errors)")
    print(
        f"  p50 {seq['p50_ms']} ms  [{mark(seq['p50_ms'] <= GOALS['p50_ms'])} goal ≤ {GOALS['p50_ms']:.0f}]"
    )
    print(
        f"  p95 {seq['p95_ms']} ms  [{mark(seq['p95_ms'] <= GOALS['p95_ms'])} goal ≤ {GOALS['p95_ms']:.0f}]"
    )
    print(f"Concurrent: {conc['clients']} clients for {conc['seconds']} s")
    print(
        f"  {conc['responses']} responses, {conc['errors']} errors [{mark(conc['errors'] == 0)} goal 0], "
        f"{conc['throughput_rps']} req/s, p50 {conc['p50_ms']} ms, p95 {conc['p95_ms']} ms"
    )
    if rss is not None:
        print(f"Server RSS {rss} MB  [{mark(rss <= GOALS['rss_mb'])} goal ≤ {GOALS['rss_mb']:.0f}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
