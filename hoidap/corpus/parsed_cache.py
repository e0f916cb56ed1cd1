"""Parsed documents kept by content, so start-up, an add and a reload parse each document once.

An entry is found by the sha256 of the parser's stamp, the document's manifest and its text: a changed
text or manifest is another key, and any change to the parser's code or data (every file of
`hoidap.corpus` but the bundled documents) is another stamp. The stamp is computed from the files, not
a number bumped by hand: `indexer.entries.ENTRIES_VERSION` is bumped for changes that matter to the
index, while most parser changes are not, and a stale parse would silently keep old answers.

Entries live in memory for the life of the cache object and, given a folder, on disk as JSON (no
pickle: the folder is only a cache, and loading it must never run code). An unreadable entry is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import types
import typing
import unicodedata
from dataclasses import fields, is_dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from hoidap.corpus.records import DocumentInfo, ParsedDocument

FORMAT = 1  # of the JSON below
KEEP_STAMPS = 3  # stamp folders kept on disk (a few checkouts or versions may share one cache)
# Folders of `hoidap.corpus` that hold documents, not the parser's code or data.
_NOT_PARSER = {"documents", "manifests", "__pycache__"}


def _parser_files(root: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    for item in sorted(root.iterdir(), key=lambda t: t.name):
        if item.is_dir():
            if item.name not in _NOT_PARSER:
                out.extend(_parser_files(item, f"{prefix}{item.name}/"))
        elif not item.name.endswith(".pyc"):
            out.append((prefix + item.name, item.read_bytes()))
    return out


def parser_stamp(root: Traversable | None = None) -> str:
    """sha256 of the parser's code and data (the files of `hoidap.corpus`, or of `root`) and of the Python
    and Unicode versions its normalisation depends on."""
    if root is None:
        return _installed_stamp()
    h = hashlib.sha256(f"{FORMAT} {sys.version_info[:2]} {unicodedata.unidata_version}".encode())
    for name, data in _parser_files(root):
        h.update(f"\0{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


@cache
def _installed_stamp() -> str:
    return parser_stamp(resources.files("hoidap.corpus"))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ParsedCache:
    """Parsed documents by (parser stamp, manifest, text); `root`: also on disk under this folder."""

    def __init__(self, root: Path | None = None, stamp: str | None = None) -> None:
        self.stamp = stamp or parser_stamp()
        self.folder = Path(root) / self.stamp[:16] if root is not None else None
        self._memory: dict[str, ParsedDocument] = {}

    def key(self, info: DocumentInfo, text: str) -> str:
        manifest = json.dumps(info.to_dict(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(f"{self.stamp}\0{manifest}\0{text_hash(text)}".encode()).hexdigest()

    def get(self, info: DocumentInfo, text: str) -> ParsedDocument | None:
        """The document parsed from this manifest and text by this parser, or None."""
        key = self.key(info, text)
        if key in self._memory:
            return self._memory[key]
        if self.folder is None:
            return None
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return None
            doc = decode(ParsedDocument, {**data["doc"], "original": text})
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # missing, half-written by a killed process, or from another format: parse again
        self._memory[key] = doc
        return doc

    def put(self, info: DocumentInfo, text: str, doc: ParsedDocument) -> None:
        """Keep `doc` as the parse of `info` and `text` (`doc.info` may differ: the parser re-reads a
        title). A folder that cannot be written leaves the entry in memory only."""
        key = self.key(info, text)
        self._memory[key] = doc
        if self.folder is None:
            return
        body = {k: v for k, v in encode(doc).items() if k != "original"}  # the store holds the text
        data = {"format": FORMAT, "doc": body}
        with contextlib.suppress(OSError, TypeError, ValueError):
            if not self.folder.exists():
                with contextlib.suppress(FileExistsError):  # another process made it first
                    self.folder.mkdir(parents=True)
                    _prune(self.folder)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{key[:16]}.")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, ensure_ascii=False)
                os.replace(tmp, self.folder / f"{key}.json")  # readers never see half an entry
            finally:
                Path(tmp).unlink(missing_ok=True)

    def forget(self, info: DocumentInfo, text: str) -> None:
        """Drop the entry of a document removed from the store."""
        key = self.key(info, text)
        self._memory.pop(key, None)
        if self.folder is not None:
            with contextlib.suppress(OSError):
                (self.folder / f"{key}.json").unlink(missing_ok=True)


def _prune(current: Path) -> None:
    """Keep the newest KEEP_STAMPS stamp folders: older parsers' entries would never be read again."""
    others = [p for p in current.parent.iterdir() if p.is_dir() and p != current]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP_STAMPS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


# --- records to JSON and back, by their type hints (tuples stay tuples, dataclasses come back) -------


def encode(value: Any) -> Any:
    """A record as JSON data: dataclasses as objects, tuples as arrays."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def decode(tp: Any, value: Any) -> Any:
    """`encode`'s output back into type `tp` (a record class, tuple[...], list[...], dict[...], X | None)."""
    if value is None or tp is Any:
        return value
    if is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{k: decode(hints[k], v) for k, v in value.items()})
    origin, args = get_origin(tp), get_args(tp)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v) for v in value)
        return tuple(decode(a, v) for a, v in zip(args, value, strict=True))
    if origin is list:
        return [decode(args[0], v) for v in value]
    if origin is dict:
        return {k: decode(args[1], v) for k, v in value.items()}
    if origin in (types.UnionType, typing.Union):
        kinds = [a for a in args if a is not type(None)]
        return decode(kinds[0], value) if len(kinds) == 1 else value
    return value
