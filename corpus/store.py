"""The document store: manifests and original texts under `corpus/` (or HOIDAP_CORPUS_DIR)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from corpus.records import DocumentInfo

PACKAGE_DIR = Path(__file__).resolve().parent
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class DocumentError(ValueError):
    """A document that cannot be read as text; the message is meant for the user (Vietnamese)."""


def corpus_dir() -> Path:
    """Where documents and manifests live: HOIDAP_CORPUS_DIR or the bundled `corpus/`."""
    return Path(os.environ.get("HOIDAP_CORPUS_DIR", PACKAGE_DIR))


def decode_text(data: bytes, name: str = "tệp") -> tuple[str, str]:
    """Decode document bytes strictly.

    Args:
        data: raw file content.
        name: file name for messages.

    Returns:
        (text, encoding). UTF-8 (with or without BOM) and UTF-16 with a BOM are accepted.

    Raises:
        DocumentError: empty, binary or undecodable input, with a message saying what to do.
    """
    if not data.strip():
        raise DocumentError(f"{name}: tệp rỗng, không có nội dung để xử lý.")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            f"{name}: tệp quá lớn ({len(data) // 1024} KB, tối đa {MAX_DOCUMENT_BYTES // 2**20} MB)."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DocumentError(f"{name}: tệp UTF-16 bị hỏng ({exc.reason}).") from exc
    if b"\x00" in data[:4096]:
        raise DocumentError(
            f"{name}: tệp nhị phân hoặc mã hóa không hỗ trợ (có byte NUL), không phải văn bản."
        )
    try:
        text = data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{name}: không đọc được dưới dạng UTF-8 (byte lỗi ở vị trí {exc.start}). "
            "Có thể tệp dùng bảng mã cũ (Windows-1258/TCVN3/VNI); hãy lưu lại dưới dạng UTF-8."
        ) from exc
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(20, len(text[:20000]) // 50):
        raise DocumentError(f"{name}: tệp chứa nhiều ký tự điều khiển, có vẻ là tệp nhị phân.")
    return text, "utf-8"


def load_manifests(root: Path | None = None) -> list[DocumentInfo]:
    """All document manifests, sorted by source file."""
    root = root or corpus_dir()
    infos: list[DocumentInfo] = []
    for path in sorted((root / "manifests").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["implements"] = tuple(data.get("implements") or ())
        infos.append(DocumentInfo(**data))
    return sorted(infos, key=lambda i: i.source_file)


def read_original(info: DocumentInfo, root: Path | None = None) -> str:
    """The original text of a stored document."""
    root = root or corpus_dir()
    path = root / "documents" / info.source_file
    text, _ = decode_text(path.read_bytes(), info.source_file)
    return text
