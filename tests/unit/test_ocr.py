"""OCR routing and plumbing (issue 15) without Tesseract: a stand-in program plays its part.

Which pages of a PDF are read by OCR (text layer vs scan), the clear messages when Tesseract or its
Vietnamese data is missing, the safe repairs, per-page progress through the bounded worker, and the
character error rate used by the benchmark. The real engine is exercised in tests/integration/test_ocr.py.
"""

from __future__ import annotations

import io
import stat
import sys
from pathlib import Path

import pytest

from hoidap.corpus.extract import extract_document
from hoidap.corpus.ocr import OcrOptions, pages_to_ocr, repair
from hoidap.corpus.store import DocumentError
from hoidap.eval.scans import character_error_rate, edit_distance
from hoidap.settings import Settings

LONG = "Cơ quan chủ trì: Sở Công Thương; thời gian thực hiện: năm 2025. " * 5


def test_routing_keeps_text_layers_and_reads_image_pages():
    layers = [LONG, "", "  12 ", "", LONG, "Nơi nhận: - Như Điều 3; - Lưu: VT."]
    shares = [1.0, 1.0, 0.9, 0.0, 0.0, 0.05]
    # 0: a searchable scan (image + real layer) keeps its layer; 1: a scan; 2: a scan with a page-number
    # layer; 3: blank, nothing to read; 4: born-digital; 5: a signature page with a small seal keeps it.
    assert pages_to_ocr(layers, shares) == [1, 2]
    assert pages_to_ocr(["Ký bởi: Văn phòng UBND tỉnh"], [0.95]) == [0]  # an e-signature caption only
    assert pages_to_ocr([], []) == []
    with pytest.raises(ValueError):
        pages_to_ocr([""], [1.0, 0.0])


def test_repair_is_safe():
    assert repair("Nguyê \u0303n Văn A\f") == "Nguyễn Văn A\n"  # a detached mark goes back on its letter
    assert repair("ho\u0300a") == "hòa\n"  # NFC
    # A word split between letters is not glued back: "y" is also a word, so it would be a guess.
    assert repair("Ngu y ễn") == "Ngu y ễn\n"


def test_options_come_from_the_settings(tmp_path: Path) -> None:
    """The defaults are the settings' (one home), and a configured Settings maps field by field."""
    defaults = Settings.model_fields
    assert OcrOptions() == OcrOptions(
        language=defaults["ocr_language"].default,
        dpi=defaults["ocr_dpi"].default,
        page_timeout=defaults["ocr_page_timeout_seconds"].default,
        jobs=defaults["ocr_jobs"].default,
        command=defaults["ocr_command"].default,
        tessdata_dir=defaults["ocr_tessdata_dir"].default,
        enabled=defaults["ocr_enabled"].default,
    )
    configured = Settings(
        ocr_language="vie+eng",
        ocr_dpi=200,
        ocr_page_timeout_seconds=7.5,
        ocr_jobs=3,
        ocr_command="/opt/tess",
        ocr_tessdata_dir=tmp_path,
        ocr_enabled=False,
    )
    assert OcrOptions.from_settings(configured) == OcrOptions(
        "vie+eng", 200, 7.5, 3, "/opt/tess", str(tmp_path), False
    )
    assert OcrOptions.from_settings(Settings(ocr_tessdata_dir=None)).tessdata_dir is None


def _fake_tesseract(
    tmp_path: Path, langs: str = "eng\nosd\nvie", text: str = "TRANG QUÉT\nNguyê \u0303n"
) -> str:
    """A program answering like tesseract: --list-langs, --version, and `stdin stdout` reading an image."""
    script = tmp_path / "fake-tesseract"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "args = sys.argv[1:]\n"
        "if '--list-langs' in args:\n"
        f"    print('List of available languages (3):'); print({langs!r})\n"
        "elif '--version' in args:\n"
        "    print('tesseract 5.3.0-fake')\n"
        "else:\n"
        "    assert args[args.index('-l') + 1] == 'vie' and sys.stdin.buffer.read(2) in (b'P5', b'P6')\n"
        f"    sys.stdout.write({text!r} + '\\n\\f')\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def _image_page() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("L", (600, 800), 255)
    ImageDraw.Draw(img).rectangle((100, 100, 500, 140), fill=0)
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=72.0)
    return buf.getvalue()


def _text_page(text: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(8.27, 11.69))
    for i, line in enumerate(text.splitlines()):
        fig.text(0.05, 0.95 - i * 0.03, line, fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    return buf.getvalue()


def _pdf(*pages: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in pages:
        writer.append(PdfReader(io.BytesIO(page)))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_mixed_pdf_uses_the_layer_where_present_and_ocr_elsewhere(tmp_path):
    layer = "\n".join(["Ke hoach phat trien cang ca Ly Son, giai doan 2025 - 2030."] * 6)
    data = _pdf(_text_page(layer), _image_page(), _text_page(layer))
    seen: list[tuple[int, int]] = []
    got = extract_document(
        "hon-hop.pdf",
        data,
        ocr=OcrOptions(command=_fake_tesseract(tmp_path)),
        progress=lambda *a: seen.append(a),
    )
    assert got.page_count == 3 and got.ocr_pages == (2,) and got.ocr_engine == "tesseract 5.3.0-fake"
    first, _, last = got.text.partition("TRANG QUÉT\nNguyễn\n")
    assert "cang ca Ly Son" in first and "cang ca Ly Son" in last  # pages 1 and 3 from their layers
    assert seen == [(1, 1)]


def test_born_digital_pdf_never_runs_ocr(tmp_path):
    layer = "\n".join(["Ke hoach phat trien cang ca Ly Son, giai doan 2025 - 2030."] * 6)
    got = extract_document("so.pdf", _pdf(_text_page(layer)), ocr=OcrOptions(command=str(tmp_path / "none")))
    assert got.ocr_pages == () and "cang ca Ly Son" in got.text


def test_page_images_are_read(tmp_path):
    from PIL import Image

    frames = [Image.new("L", (300, 200), 255) for _ in range(2)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300))
    got = extract_document("trang.tif", buf.getvalue(), ocr=OcrOptions(command=_fake_tesseract(tmp_path)))
    assert got.ocr_pages == (1, 2) and got.text.count("TRANG QUÉT") == 2
    with pytest.raises(DocumentError, match="không đọc được ảnh"):
        extract_document("hong.png", b"\x89PNG not really", ocr=OcrOptions(command=_fake_tesseract(tmp_path)))


def test_missing_tesseract_or_vietnamese_data_names_the_package(tmp_path):
    scan = _pdf(_image_page())
    with pytest.raises(DocumentError, match="tesseract-ocr-vie") as missing:
        extract_document("scan.pdf", scan, ocr=OcrOptions(command=str(tmp_path / "khong-co")))
    assert "chưa cài Tesseract" in str(missing.value)
    with pytest.raises(DocumentError, match="ngôn ngữ vie.*tesseract-ocr-vie"):
        extract_document(
            "scan.pdf", scan, ocr=OcrOptions(command=_fake_tesseract(tmp_path, langs="eng\nosd"))
        )
    with pytest.raises(DocumentError, match="OCR.*đang tắt"):
        extract_document("scan.pdf", scan, ocr=OcrOptions(command=_fake_tesseract(tmp_path), enabled=False))
    # A page with neither text nor image has nothing to read: refused as before.
    with pytest.raises(DocumentError, match="scan"):
        extract_document("trang.pdf", _pdf(_text_page("")), ocr=OcrOptions(command=_fake_tesseract(tmp_path)))


def test_progress_reaches_the_caller_from_the_bounded_worker(tmp_path):
    from hoidap.corpus.ingest import Typed, prepare_document
    from hoidap.corpus.isolate import run_isolated
    from hoidap.corpus.progress import Step

    text = "KẾ HOẠCH\nCảng cá\nI. NHIỆM VỤ\n1. Nạo vét luồng.\nCơ quan chủ trì: Sở Nông nghiệp."
    fake = _fake_tesseract(tmp_path, text=text)
    seen: list[Step] = []
    prepared = run_isolated(
        prepare_document,
        ("scan.pdf", _pdf(_image_page(), _image_page()), Typed(), 10**7, 10**6, OcrOptions(command=fake)),
        timeout=60,
        memory_bytes=2 * 1024**3,
        progress=seen.append,
    )
    assert seen == [Step("read"), Step("ocr", 1, 2), Step("ocr", 2, 2), Step("parse")]
    got, fields = prepared.text, prepared.fields
    assert got.count("Nạo vét luồng") == 2
    assert fields["ocr"]["pages"] == [1, 2] and fields["ocr"]["page_count"] == 2
    assert fields["ocr"]["language"] == "vie" and fields["ocr"]["engine"] == "tesseract 5.3.0-fake"


def test_character_error_rate():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3 and edit_distance("hòa", "hòa") == 0
    assert character_error_rate("Sở Công  Thương\nnăm 2025", "Sở Công Thương năm 2025") == 0.0
    assert character_error_rate("giá trị gia tăng", "giá trị gia tắng") == pytest.approx(1 / 16)


def _signed_page(number_line: str) -> bytes:
    """A born-digital page whose number blank is left open, with a small image (a stamp) on it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    lines = [
        "BỘ NỘI VỤ",
        number_line,
        "Hà Nội, ngày      tháng      năm 2025",
        "QUYẾT ĐỊNH",
        "Phê duyệt Đề án cải cách hành chính",
        "Điều 1. Phê duyệt Đề án xác định chỉ số cải cách hành chính của các bộ, các tỉnh.",
        "Điều 2. Bộ Nội vụ chủ trì, phối hợp với các bộ tổ chức triển khai Đề án trong năm 2026.",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký.",
    ]
    fig = plt.figure(figsize=(8.27, 11.69))
    for i, line in enumerate(lines):
        fig.text(0.05, 0.95 - i * 0.03, line, fontsize=9)
    fig.figimage(np.zeros((20, 60)), xo=120, yo=1000)
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    return buf.getvalue()


def test_stamped_number_fills_only_what_the_text_layer_left_blank(tmp_path):
    from hoidap.corpus.ingest import prepare_document
    from hoidap.corpus.ocr import join_stamped_number

    assert join_stamped_number("Số: 1187 /QĐ-BNV\nsố 12 /2025") == "Số: 1187/QĐ-BNV\nsố 12 /2025"
    stamp = _fake_tesseract(tmp_path, text="BỘ NỘI VỤ\nSố: 1187 /QĐ-BNV\nHà Nội, ngày 15 tháng 10 năm 2025")
    data = _signed_page("Số:        /QĐ-BNV")
    prepared = prepare_document("qd.pdf", data, ocr=OcrOptions(command=stamp))
    text, fields = prepared.text, prepared.fields
    assert fields["number"] == "1187/QĐ-BNV" and fields["date"] == "2025-10-15"
    assert fields["provenance"]["from_ocr_of_first_page"] == ["number", "date"]
    assert "1187" not in text and not fields.get("ocr")  # the stored text stays the text layer
    # A number printed in the layer wins; the date the layer left blank is still filled.
    fields = prepare_document("qd.pdf", _signed_page("Số: 42/QĐ-BNV"), ocr=OcrOptions(command=stamp)).fields
    assert fields["number"] == "42/QĐ-BNV" and fields["date"] == "2025-10-15"
    assert fields["provenance"]["from_ocr_of_first_page"] == ["date"]
