"""OCR benchmark (issue 15): character error rate and pages per minute on a clean synthetic scan.

    python -P benchmarks/bench_ocr.py                 # 10 pages at 300 dpi, 2 tesseract jobs vs 1
    python -P benchmarks/bench_ocr.py --pages 3 --dpi 200 --no-baseline

The bundled documents' text is drawn on A4 pages (DejaVu Sans 12 pt), wrapped as an image-only PDF and
read the way `hoidap add` reads it: `corpus.ingest.prepare` (the bounded worker) (time and memory limits),
so the time includes rendering, OCR, repairs and parsing, not embedding. The reference of the error rate
is exactly the text drawn. Goals (CER <= 3 % at 300 dpi, 10 pages in under 2 minutes) are printed as
PASS/MISS and never fail the run (machines are shared).
"""

from __future__ import annotations

import argparse
import os
import time

from hoidap.corpus.ingest import IngestOptions, prepare
from hoidap.corpus.ocr import OcrOptions
from hoidap.corpus.progress import Step
from hoidap.corpus.store import DocumentStore
from hoidap.eval.scans import character_error_rate, render_text
from hoidap.settings import Settings

GOALS = {"cer": 0.03, "seconds_for_10_pages": 120.0}


def _source_text(settings: Settings) -> str:
    store = DocumentStore(settings.bundled_corpus_path, settings.data_dir / "bench-none")
    return "\n".join(store.read_original(info) for info in store.manifests())


def _run(pdf: bytes, options: OcrOptions, timeout: float) -> tuple[str, float]:
    start = time.perf_counter()
    limits = IngestOptions(
        max_bytes=50 * 2**20, max_chars=2_000_000, timeout=timeout, memory_bytes=3 * 1024**3, ocr=options
    )

    def say(step: Step) -> None:
        if step.stage == "ocr":
            print(f"    trang {step.done}/{step.total}  {time.perf_counter() - start:5.1f} s")

    text = prepare("scan.pdf", pdf, options=limits, progress=say).text
    return text, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2, help="tesseract processes at once (default 2)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-job run")
    args = parser.parse_args()

    settings = Settings()
    scan = render_text(_source_text(settings), dpi=args.dpi, max_pages=args.pages)
    pdf = scan.pdf()
    print(
        f"Scan: {len(scan.pages)} pages at {args.dpi} dpi, {len(scan.reference):,} characters drawn, "
        f"PDF {len(pdf) / 2**20:.1f} MB; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    runs = [args.jobs] + ([] if args.no_baseline or args.jobs == 1 else [1])
    seconds: dict[int, float] = {}
    for jobs in runs:
        options = OcrOptions(language=settings.ocr_language, dpi=args.dpi, jobs=jobs)
        print(f"  {jobs} job(s):")
        text, seconds[jobs] = _run(pdf, options, timeout=max(600.0, 60.0 * len(scan.pages)))
        cer = character_error_rate(scan.reference, text)
        ppm = len(scan.pages) / seconds[jobs] * 60
        per10 = seconds[jobs] / len(scan.pages) * 10
        print(
            f"  {jobs} job(s): {seconds[jobs]:.1f} s, {ppm:.1f} pages/min, CER {cer:.2%} "
            f"[{'PASS' if cer <= GOALS['cer'] else 'MISS'} <= {GOALS['cer']:.0%}], "
            f"10 pages in {per10:.0f} s [{'PASS' if per10 < GOALS['seconds_for_10_pages'] else 'MISS'} "
            f"< {GOALS['seconds_for_10_pages']:.0f} s]"
        )
    if len(seconds) == 2:
        print(f"  speed-up of {args.jobs} jobs over 1: x{seconds[1] / seconds[args.jobs]:.2f}")


if __name__ == "__main__":
    main()
