"""The document store: original texts and their manifests, bundled and user-added."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from hoidap.corpus.normalize import strip_diacritics
from hoidap.corpus.parsed_cache import ParsedCache
from hoidap.corpus.records import DocumentInfo


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

    No size limit here: an upload's size is checked against the settings' `max_upload_bytes` before
    it is read (`extract_document`), and a stored text was checked when it was added.
    """
    if not data.strip():
        raise DocumentError(f"{name}: tệp rỗng, không có nội dung để xử lý.")
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


class DamagedDocument(DocumentError):
    """A stored document whose text or manifest no longer matches what was stored."""


# A user document's file name carries the start of its text's sha256: "<doc_id>_<16 hex>.txt".
_DIGEST_NAME_RE = re.compile(r"_([0-9a-f]{16})\.txt$")


def _read_manifests(root: Path, damaged: dict[str, str] | None = None) -> list[DocumentInfo]:
    """The manifests of `root`; one that cannot be read is recorded in `damaged` (id -> reason) and
    skipped, so one broken file never takes the others down."""
    found = []
    for path in sorted((root / "manifests").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["implements"] = tuple(data.get("implements") or ())
            found.append(DocumentInfo(**data))
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            if damaged is None:
                raise DamagedDocument(f"manifest {path.name} hỏng ({type(exc).__name__}).") from exc
            damaged[path.stem] = (
                f"manifest {path.name} hỏng ({type(exc).__name__}); xóa hoặc thêm lại văn bản."
            )
    return sorted(found, key=lambda i: i.source_file)


class DocumentStore:
    """The bundled documents (read-only) and the user's added ones, each a `documents/` folder of
    original texts beside a `manifests/` folder of one JSON per document.

    `parsed` keeps what `parse.parse_corpus` parsed (in memory, or also on disk when given a cache
    with a folder), so the same text and manifest are parsed once.
    """

    def __init__(self, bundled: Path, user: Path, parsed: ParsedCache | None = None) -> None:
        self.bundled = Path(bundled)
        self.user = Path(user)
        self.damaged: dict[str, str] = {}  # doc id -> why it is not served (filled while reading)
        self.parsed = parsed if parsed is not None else ParsedCache()

    @property
    def roots(self) -> list[Path]:
        return [self.bundled, self.user]

    def manifests(self) -> list[DocumentInfo]:
        """Document manifests (bundled, then user-added), sorted by source file within each root."""
        return [info for r in self.roots for info in _read_manifests(r, self.damaged)]

    def _root_of(self, info: DocumentInfo) -> Path:
        for r in self.roots:
            if (r / "manifests" / f"{info.doc_id}.json").exists():
                return r
        return self.bundled

    def read_original(self, info: DocumentInfo) -> str:
        """The original text of a stored document."""
        """The original text of a stored document, checked against the checksum it was stored with.

        Raises:
            DamagedDocument: the file is missing, unreadable, or its text changed since it was stored.
        """
        path = self._root_of(info) / "documents" / info.source_file
        try:
            data = path.read_bytes()
            text, _ = decode_text(data, info.source_file)
        except (OSError, DocumentError) as exc:
            raise DamagedDocument(f"văn bản {info.source_file} không đọc được ({exc}).") from exc
        expected = info.provenance.get("sha256") if isinstance(info.provenance, dict) else None
        # Only names this store gave ("<doc_id>_<digest>.txt"): bundled files are named otherwise.
        named = (
            _DIGEST_NAME_RE.search(info.source_file)
            if info.source_file.startswith(f"{info.doc_id}_")
            else None
        )
        actual = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if (expected and actual != expected) or (named and not actual.startswith(named.group(1))):
            raise DamagedDocument(
                f"văn bản {info.source_file} đã bị sửa hoặc hỏng (mã kiểm tra sha256 không khớp); "
                f"xóa (hoidap remove {info.doc_id}) rồi thêm lại."
            )
        return text

    def readable(self) -> list[tuple[DocumentInfo, str]]:
        """Every stored document whose manifest and text check out; the others go to `damaged`."""
        out = []
        for info in self.manifests():
            try:
                out.append((info, self.read_original(info)))
            except DamagedDocument as exc:
                self.damaged[info.doc_id] = str(exc)
        return out

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
        full = hashlib.sha256(text.encode("utf-8")).hexdigest()
        source_file = f"{doc_id}_{full[:16]}.txt"
        info = DocumentInfo(doc_id=doc_id, source_file=source_file, **info_fields)  # type: ignore[arg-type]
        info.provenance["sha256"] = full  # checked on every read
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
        info = next((i for i in _read_manifests(self.user, {}) if i.doc_id == doc_id), None)
        manifest.unlink()
        if info is None:  # a damaged manifest: its text is the file named after the id
            for path in (self.user / "documents").glob(f"{doc_id}_*.txt"):
                path.unlink(missing_ok=True)
            self.damaged.pop(doc_id, None)
            return DocumentInfo(doc_id=doc_id, title=doc_id, short_title=doc_id, doc_type="", source_file="")
        text_path = self.user / "documents" / info.source_file
        with contextlib.suppress(OSError, DocumentError):
            self.parsed.forget(info, decode_text(text_path.read_bytes(), info.source_file)[0])
        text_path.unlink(missing_ok=True)
        self.damaged.pop(doc_id, None)
        return info
