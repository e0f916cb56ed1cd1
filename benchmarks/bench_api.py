"""Load benchmark of the running API: sequential /ask latency, concurrent clients, server RSS.

    python -P benchmarks/bench_api.py       # starts `hoidap serve --no-ui` on a free port, then measures
    python -P benchmarks/bench_api.py --url http://127.0.0.1:8000 --pid 1234   # a server already running
    python -P benchmarks/bench_api.py --questions 20 --seconds 5              # a short smoke run

The server started here reads its settings (HOIDAP_DATA_DIR, HOIDAP_CACHE_DIR, ...) from the environment
it inherits, as `hoidap serve` does; its index must exist (`hoidap index`).
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
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

import httpx
import psutil

GOALS = {"p50_ms": 60.0, "p95_ms": 150.0, "rss_mb": 2048.0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _questions(gold: Path | None) -> list[str]:
    """Questions of a gold file; default: the one shipped in the package (hoidap/eval/gold.jsonl)."""
    if gold is None:
        text = (resources.files("hoidap.eval") / "gold.jsonl").read_text(encoding="utf-8")
    else:
        text = gold.read_text(encoding="utf-8")
    return [json.loads(line)["question"] for line in text.splitlines() if line.strip()]


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


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _start_server(port: int, log: Path, ui: bool = False) -> subprocess.Popen[bytes]:
    """`hoidap serve` with this interpreter (the page too when `ui`); -P: hoidap comes from where this
    process imports it (the installed package or PYTHONPATH), never from a source tree that is the
    working directory."""
    cmd = [
        sys.executable,
        "-P",
        "-m",
        "hoidap.cli",
        "serve",
        *([] if ui else ["--no-ui"]),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"hoidap serve exited; is the index built? (hoidap index)\n{_tail(log)}")
        time.sleep(0.5)
    proc.terminate()
    proc.wait(timeout=30)
    raise SystemExit(f"the server did not become healthy within 180 s\n{_tail(log)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an already running server (default: start one)")
    parser.add_argument("--pid", type=int, help="pid of that server, for RSS")
    parser.add_argument(
        "--gold", type=Path, default=None, help="questions file (default: the package's eval/gold.jsonl)"
    )
    parser.add_argument(
        "--questions", type=int, default=None, help="use only the first N questions (default: all)"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.questions is not None and args.questions < 1:
        parser.error("--questions must be positive")
    questions = _questions(args.gold)[: args.questions]
    if not questions:
        parser.error("no questions to ask")

    proc = None
    url, pid = args.url, args.pid
    with tempfile.TemporaryDirectory(prefix="hoidap-bench-api-") as tmp:
        if url is None:
            port = _free_port()
            proc = _start_server(port, Path(tmp) / "serve.log")
            url, pid = f"http://127.0.0.1:{port}", proc.pid
        try:
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
