"""Synthetic scans for measuring OCR (issue 15): a text rendered to page images, wrapped as a PDF.

The reference for the character error rate is exactly the text drawn on the pages, so the rate
measures recognition, not the layout of the original file.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Debian fonts-dejavu-core: has every Vietnamese precomposed letter.
DEFAULT_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
A4_INCHES = (8.27, 11.69)


@dataclass(frozen=True)
class Scan:
    """Page images of a text and the lines drawn on each page."""

    images: list  # PIL images, one per page
    pages: list[list[str]]
    dpi: int

    @property
    def reference(self) -> str:
        return "\n".join(line for page in self.pages for line in page)

    def pdf(self) -> bytes:
        """The pages as an image-only PDF (no text layer)."""
        buf = io.BytesIO()
        first, *rest = self.images
        first.save(buf, format="PDF", save_all=True, append_images=rest, resolution=float(self.dpi))
        return buf.getvalue()


def render_text(
    text: str,
    *,
    dpi: int = 300,
    max_pages: int | None = None,
    font: Path = DEFAULT_FONT,
    font_pt: float = 12.0,
    margin_inches: float = 0.8,
) -> Scan:
    """Draw the non-blank lines of `text` on A4 pages (black on white, 1.5 line spacing).

    A line wider than the page is wrapped at a space, as a word processor would.
    """
    from PIL import Image, ImageDraw, ImageFont

    face = ImageFont.truetype(str(font), round(font_pt * dpi / 72))
    width, height = (round(x * dpi) for x in A4_INCHES)
    margin = round(margin_inches * dpi)
    step = round(font_pt * dpi / 72 * 1.5)
    per_page = (height - 2 * margin) // step
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    lines: list[str] = []
    for raw in text.splitlines():
        words = raw.split()
        current = ""
        for w in words:
            trial = f"{current} {w}" if current else w
            if current and measure.textlength(trial, font=face) > width - 2 * margin:
                lines.append(current)
                current = w
            else:
                current = trial
        if current:
            lines.append(current)
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)][:max_pages]
    images = []
    for page in pages:
        img = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(img)
        for k, line in enumerate(page):
            draw.text((margin, margin + k * step), line, font=face, fill=0)
        images.append(img)
    return Scan(images, pages, dpi)


def _canonical(text: str) -> str:
    """NFC with whitespace runs as one space: a line break where the reference has a space is no error."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions of one character each)."""
    if not a or not b:
        return len(a) + len(b)
    bs = np.array([ord(c) for c in b], dtype=np.int64)
    cols = np.arange(len(b) + 1, dtype=np.int64)
    prev = cols.copy()
    for i, ch in enumerate(a, 1):
        cur = np.empty_like(prev)
        cur[0] = i
        # Substitution or match from the diagonal, deletion from above; insertions (from the left) are a
        # running minimum of (value - column) + column.
        cur[1:] = np.minimum(prev[:-1] + (bs != ord(ch)), prev[1:] + 1)
        cur = np.minimum.accumulate(cur - cols) + cols
        prev = cur
    return int(prev[-1])


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over the reference's length, after NFC and whitespace folding on both."""
    ref, hyp = _canonical(reference), _canonical(hypothesis)
    return edit_distance(ref, hyp) / max(1, len(ref))
