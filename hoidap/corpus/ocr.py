"""Optical character recognition of scanned pages (issue 15), with Tesseract run as a program.

A PDF page whose text layer is (nearly) empty but which carries an image is rendered (pypdfium2) and
read by Tesseract; page images (.png/.jpg/.tif) are read directly. Pages with a real text layer keep
it. Several `tesseract` processes run side by side, each limited to one OpenMP thread: on a shared
2-core machine Tesseract's own threads spin against each other (25 s a page instead of 6 s).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from hoidap.corpus.store import DocumentError
from hoidap.settings import Settings

_DEFAULTS = Settings.model_fields  # the one home of the defaults

# (pages done, pages to read): called after each recognised page, in completion order.
Progress = Callable[[int, int], None]
# A text layer shorter than this (letters and digits) on a page mostly covered by one image is a scan's
# leftover (a page number, an e-signature caption), not the page's text: the page is OCR'd instead.
MIN_LAYER_CHARS = 200
# Share of the page one image must cover for the page to be a scan; a seal or a logo on a born-digital
# signature page (short layer) covers far less, and that page keeps its exact text layer.
MIN_SCAN_SHARE = 0.5
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"


@dataclass(frozen=True)
class OcrOptions:
    """How scans are read; the defaults are `Settings.ocr_*`'s (`from_settings` takes a configured one).

    Args:
        language: Tesseract language(s), e.g. "vie" or "vie+eng".
        dpi: resolution PDF pages are rendered at.
        page_timeout: seconds one page may take.
        jobs: tesseract processes run at once.
        command: the tesseract program.
        tessdata_dir: where its language data lives (default: its own).
        enabled: False refuses scans as before (no text layer) instead of reading them.
    """

    language: str = _DEFAULTS["ocr_language"].default
    dpi: int = _DEFAULTS["ocr_dpi"].default
    page_timeout: float = _DEFAULTS["ocr_page_timeout_seconds"].default
    jobs: int = _DEFAULTS["ocr_jobs"].default
    command: str = _DEFAULTS["ocr_command"].default
    tessdata_dir: str | None = _DEFAULTS["ocr_tessdata_dir"].default
    enabled: bool = _DEFAULTS["ocr_enabled"].default

    @classmethod
    def from_settings(cls, settings: Settings) -> OcrOptions:
        return cls(
            language=settings.ocr_language,
            dpi=settings.ocr_dpi,
            page_timeout=settings.ocr_page_timeout_seconds,
            jobs=settings.ocr_jobs,
            command=settings.ocr_command,
            tessdata_dir=str(settings.ocr_tessdata_dir) if settings.ocr_tessdata_dir else None,
            enabled=settings.ocr_enabled,
        )


def layer_chars(text: str) -> int:
    """Letters and digits of a page's text layer."""
    return sum(ch.isalnum() for ch in text)


def pages_to_ocr(
    layers: Sequence[str],
    image_share: Sequence[float],
    min_chars: int = MIN_LAYER_CHARS,
    min_share: float = MIN_SCAN_SHARE,
) -> list[int]:
    """0-based indexes of the pages to read by OCR: a page-sized image and no real text layer.

    `image_share` is, per page, the largest share of the page one image covers. A page without such an
    image has nothing to recognise (blank, vector drawing, a small seal) and keeps whatever layer it has.
    """
    return [
        i
        for i, (text, share) in enumerate(zip(layers, image_share, strict=True))
        if share >= min_share and layer_chars(text) < min_chars
    ]


# A combining mark standing alone after a space: OCR split it off its letter ("Nguye ̃n"). A mark cannot
# begin a word, so joining it back is safe; words split between letters ("Ngu y ễn") are left as they
# are, since telling them from real one-letter words would be guessing.
_DETACHED_MARK_RE = re.compile(r"(?<=\w)[ \t]+(?=[\u0300-\u036f])")


def repair(text: str) -> str:
    """Safe repairs of Tesseract output: detached combining marks joined, NFC, no page-end form feed.

    Tone-mark placement is evened out later by the same normalisation every document goes through.
    """
    text = _DETACHED_MARK_RE.sub("", text.replace("\f", "\n"))
    return unicodedata.normalize("NFC", text).strip("\n") + "\n"


# The whole environment of the tesseract processes: settings are passed as arguments, not inherited.
_ENV = {"OMP_THREAD_LIMIT": "1"}


def _program(options: OcrOptions) -> list[str]:
    """The tesseract command line's start (an absolute path: the processes get no PATH)."""
    found = shutil.which(options.command)
    if found is None:
        raise FileNotFoundError(options.command)
    return [found] + (["--tessdata-dir", options.tessdata_dir] if options.tessdata_dir else [])


def check_engine(name: str, options: OcrOptions) -> str:
    """Tesseract's version line, after checking it and its language data are installed.

    Raises:
        DocumentError: OCR switched off, tesseract missing, or a language's data missing (naming the package).
    """
    if not options.enabled:
        raise DocumentError(
            f"{name}: tệp không có lớp văn bản (có thể là bản scan) và chức năng nhận dạng ký tự (OCR) "
            "đang tắt (HOIDAP_OCR_ENABLED)."
        )
    try:
        program = _program(options)
        langs = subprocess.run(
            [*program, "--list-langs"], capture_output=True, text=True, timeout=30, env=_ENV, check=False
        )
        version = subprocess.run(
            [program[0], "--version"], capture_output=True, text=True, timeout=30, env=_ENV, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        raise DocumentError(
            f"{name}: tệp là bản scan (không có lớp văn bản) nên cần nhận dạng ký tự (OCR), nhưng máy chủ "
            f"chưa cài Tesseract. Hãy cài gói tesseract-ocr và tesseract-ocr-vie ({INSTALL_HINT})."
        ) from None
    have = {line.strip() for line in langs.stdout.splitlines()[1:]}
    missing = [lang for lang in options.language.split("+") if lang not in have]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise DocumentError(
            f"{name}: Tesseract chưa có dữ liệu ngôn ngữ {', '.join(missing)} để nhận dạng ký tự (OCR). "
            f"Hãy cài gói {packages} (apt-get install {packages})."
        )
    first = (version.stdout or version.stderr).strip().splitlines()
    return first[0] if first else "tesseract"


def recognise(name: str, image: bytes, page: int, options: OcrOptions, dpi: int | None) -> str:
    """Text of one page image (any format Leptonica reads) by the tesseract program.

    Raises:
        DocumentError: tesseract failed or ran out of time on this page.
    """
    try:
        cmd = [*_program(options), "stdin", "stdout", "-l", options.language]
    except FileNotFoundError:
        raise DocumentError(
            f"{name}: không tìm thấy Tesseract; hãy cài gói tesseract-ocr ({INSTALL_HINT})."
        ) from None
    if dpi:
        cmd += ["--dpi", str(dpi)]
    try:
        done = subprocess.run(
            cmd, input=image, capture_output=True, timeout=options.page_timeout, env=_ENV, check=False
        )
    except subprocess.TimeoutExpired:
        raise DocumentError(
            f"{name}: trang {page} nhận dạng ký tự quá {options.page_timeout:g} giây, đã dừng."
        ) from None
    except OSError as exc:
        raise DocumentError(
            f"{name}: không chạy được Tesseract ({exc.__class__.__name__}); hãy cài gói tesseract-ocr "
            f"và tesseract-ocr-vie ({INSTALL_HINT})."
        ) from None
    if done.returncode:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise DocumentError(f"{name}: trang {page} không nhận dạng được ký tự ({tail[0][:200]}).")
    return repair(done.stdout.decode("utf-8", "replace"))


def run_pages(
    name: str,
    pages: Sequence[tuple[int, Callable[[], tuple[bytes, int | None]]]],
    options: OcrOptions,
    progress: Progress | None = None,
) -> dict[int, str]:
    """OCR text of each page: `pages` holds (page number, a function returning its image and dpi).

    Images are made one at a time in this thread (the PDF renderer is not thread-safe) and at most
    two per job wait in memory; the tesseract processes run in parallel.
    """
    out: dict[int, str] = {}
    total = len(pages)
    pending: dict[Future[str], int] = {}

    def collect(block: bool) -> None:
        done, _ = (
            wait(list(pending), return_when=FIRST_COMPLETED)
            if block
            else ([f for f in pending if f.done()], None)
        )
        for fut in done:
            out[pending.pop(fut)] = fut.result()
            if progress is not None:
                progress(len(out), total)

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        try:
            for number, make in pages:
                while len(pending) >= 2 * max(1, options.jobs):
                    collect(block=True)
                image, dpi = make()
                pending[pool.submit(recognise, name, image, number, options, dpi)] = number
                collect(block=False)
            while pending:
                collect(block=True)
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    return out


def pdf_page_images(
    name: str, data: bytes, indexes: Sequence[int], dpi: int
) -> tuple[list[float], Callable[[int], tuple[bytes, int | None]], list[bool]]:
    """Per page index: the largest share of the page one image covers, a renderer
    `render(i) -> (pgm bytes, dpi)`, and whether the page carries an annotation (a signature, a form field).

    Pages are rendered as printed: form fields and signature appearances are drawn, since a signed copy
    may hold its number and date only there.

    Raises:
        DocumentError: pypdfium2 missing, or the PDF cannot be opened by it.
    """
    try:
        import pypdfium2 as pdfium
        import pypdfium2.raw as pdfium_c
    except ImportError:
        raise DocumentError(
            f"{name}: cần gói Python pypdfium2 để đọc trang scan (pip install pypdfium2)."
        ) from None
    try:
        pdf = pdfium.PdfDocument(data)
        pdf.init_forms()
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"{name}: tệp PDF bị hỏng hoặc không đọc được ({exc}).") from None
    image_share, has_annot = [], []
    for i in indexes:
        page = pdf[i]
        width, height = page.get_size()
        share = 0.0
        for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
            try:
                left, bottom, right, top = obj.get_bounds()
            except pdfium.PdfiumError:
                continue
            covered = max(0.0, min(right, width) - max(left, 0.0)) * max(
                0.0, min(top, height) - max(bottom, 0.0)
            )
            share = max(share, covered / max(width * height, 1.0))
        image_share.append(share)
        has_annot.append(pdfium_c.FPDFPage_GetAnnotCount(page.raw) > 0)

    def render(i: int) -> tuple[bytes, int | None]:
        bitmap = pdf[i].render(scale=dpi / 72, grayscale=True, may_draw_forms=True)
        buf = io.BytesIO()
        # PGM: no compression to spend time on; Leptonica reads it from tesseract's stdin.
        bitmap.to_pil().convert("L").save(buf, format="PPM")
        return buf.getvalue(), dpi

    return image_share, render, has_annot


def first_page_as_printed(name: str, data: bytes, options: OcrOptions) -> str | None:
    """OCR text of a PDF's first page as printed, when that page holds what its text layer cannot (an
    image or an annotation, e.g. the number stamped by a digital signature); None otherwise, or when OCR
    is off, not installed or fails (this only adds facts, so it never refuses the file)."""
    if not options.enabled:
        return None
    try:
        image_share, render, has_annot = pdf_page_images(name, data, [0], options.dpi)
        if not (image_share[0] > 0 or has_annot[0]):
            return None
        check_engine(name, options)
        return join_stamped_number(recognise(name, render(0)[0], 1, options, options.dpi))
    except DocumentError:
        return None


# A number stamped into the blank a form left for it keeps the blank's space: "Số: 1187 /QĐ-BNV".
_STAMPED_NUMBER_RE = re.compile(r"^(Số\s*:?\s*\d+)[ \t]+(?=/)", re.M)


def join_stamped_number(text: str) -> str:
    """ "Số: 1187 /QĐ-BNV" -> "Số: 1187/QĐ-BNV" (only digits then a slash on a "Số:" line)."""
    return _STAMPED_NUMBER_RE.sub(r"\1", text)


def image_frames(
    name: str, data: bytes, max_frames: int = 500
) -> list[Callable[[], tuple[bytes, int | None]]]:
    """One image maker per frame of a page image (a multi-page TIFF has several).

    Raises:
        DocumentError: not an image Pillow reads, or a decompression bomb.
    """
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        count = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise DocumentError(f"{name}: không đọc được ảnh ({exc.__class__.__name__}).") from None
    if count > max_frames:
        raise DocumentError(f"{name}: ảnh có {count} trang, tối đa {max_frames}.")
    dpi_info = image.info.get("dpi")
    dpi = int(round(float(dpi_info[0]))) if dpi_info and float(dpi_info[0]) >= 70 else None

    def maker(k: int) -> Callable[[], tuple[bytes, int | None]]:
        def make() -> tuple[bytes, int | None]:
            try:
                frame = ImageSequence.Iterator(image)[k]
                buf = io.BytesIO()
                frame.convert("L").save(buf, format="PPM")
            except (OSError, ValueError, Image.DecompressionBombError) as exc:
                raise DocumentError(f"{name}: không đọc được ảnh ({exc.__class__.__name__}).") from None
            return buf.getvalue(), dpi

        return make

    return [maker(k) for k in range(count)]
