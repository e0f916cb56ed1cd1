"""The document store: original texts and their manifests, bundled and user-added."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from hoidap.corpus.normalize import strip_diacritics
from hoidap.corpus.records import DocumentInfo

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class DocumentError(ValueError):
    """A document that cannot be read as text; the message is meant for the user (Vietnamese)."""


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


def slugify(text: str) -> str:
    """'Kế hoạch 12/KH-UBND' -> 'ke-hoach-12-kh-ubnd'."""
    slug = re.sub(r"[^a-z0-9]+", "-", strip_diacritics(text).lower()).strip("-")
    return slug[:60] or "van-ban"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_manifests(root: Path) -> list[DocumentInfo]:
    found = []
    for path in sorted((root / "manifests").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["implements"] = tuple(data.get("implements") or ())
        found.append(DocumentInfo(**data))
    return sorted(found, key=lambda i: i.source_file)


class DocumentStore:
    """The bundled documents (read-only) and the user's added ones, each a `documents/` folder of
    original texts beside a `manifests/` folder of one JSON per document."""

    def __init__(self, bundled: Path, user: Path) -> None:
        self.bundled = Path(bundled)
        self.user = Path(user)

    @property
    def roots(self) -> list[Path]:
        return [self.bundled, self.user]

    def manifests(self) -> list[DocumentInfo]:
        """Document manifests (bundled, then user-added), sorted by source file within each root."""
        return [info for r in self.roots for info in _read_manifests(r)]

    def _root_of(self, info: DocumentInfo) -> Path:
        for r in self.roots:
            if (r / "manifests" / f"{info.doc_id}.json").exists():
                return r
        return self.bundled

    def read_original(self, info: DocumentInfo) -> str:
        """The original text of a stored document."""
        path = self._root_of(info) / "documents" / info.source_file
        text, _ = decode_text(path.read_bytes(), info.source_file)
        return text

    def is_bundled(self, doc_id: str) -> bool:
        return (self.bundled / "manifests" / f"{doc_id}.json").exists()

    def store(self, text: str, info_fields: dict[str, object], suggested_id: str) -> DocumentInfo:
        """Write a new user document (text + manifest) into the user corpus; returns its manifest.

        The id is made unique by suffixing; the text is stored as UTF-8 and its offsets are
        what every record of the document refers to.
        """
        taken = {i.doc_id for i in self.manifests()}
        base = slugify(suggested_id)
        doc_id, n = base, 2
        while doc_id in taken:
            doc_id, n = f"{base}-{n}", n + 1
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        source_file = f"{doc_id}_{digest}.txt"
        info = DocumentInfo(doc_id=doc_id, source_file=source_file, **info_fields)  # type: ignore[arg-type]
        _atomic_write(self.user / "documents" / source_file, text.encode("utf-8"))
        manifest = info.to_dict()
        _atomic_write(
            self.user / "manifests" / f"{doc_id}.json",
            (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode(),
        )
        return info

    def delete(self, doc_id: str) -> DocumentInfo:
        """Remove a user-added document (bundled documents cannot be removed)."""
        if self.is_bundled(doc_id):
            raise DocumentError(f"'{doc_id}' là văn bản đi kèm hệ thống, không xóa được.")
        manifest = self.user / "manifests" / f"{doc_id}.json"
        if not manifest.exists():
            raise DocumentError(f"không có văn bản '{doc_id}'.")
        info = next(i for i in _read_manifests(self.user) if i.doc_id == doc_id)
        manifest.unlink()
        (self.user / "documents" / info.source_file).unlink(missing_ok=True)
        return info
