"""Score the service on a folder of real documents added as uploads, with the hold-out rules.

    hoidap eval-docs --docs evalsets/devcorpus/docs --gold evalsets/devcorpus/gold-a.jsonl [--data DIR]

The documents are added without metadata (as `hoidap add` does) into a data folder beside the bundled
corpus; `--data` keeps that folder, so a later run reuses it (documents already stored are not added
again). Replies are judged by the rules of the project's hidden hold-out sets: an accepted answer in the
reply (whole, or part by part for a list of agencies), or for figures and facts the first quote holding
it over the evidence; the first quote overlapping the evidence; `found=false` for unanswerable items.
Gold items carry evidence as text only (`{"doc_id", "text"}`), so any document format works.

The same rules on documents nobody tuned for are what `../shared/blind/score` prints; this module lets
development sets be measured alike, per document, with `--by-doc` holding out whole documents.
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hoidap.service.qa import QAService, build_index
from hoidap.service.ranker import RankerModel
from hoidap.settings import Settings

DOC_SUFFIXES = (".txt", ".md", ".docx", ".pdf")
_FIX = str.maketrans({"ƣ": "ư", "Ƣ": "Ư", "Ð": "Đ", "ð": "đ"})


def norm(s: str | None) -> str:
    s = unicodedata.normalize("NFC", s or "").translate(_FIX).lower()
    return re.sub(r"\s+", " ", s).strip(" .;:,")


def fold(s: str | None) -> str:
    s = norm(s).replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def contains(hay: str, needle: str) -> bool:
    return bool(needle) and (norm(needle) in norm(hay) or fold(needle) in fold(hay))


def answers(hay: str, accepted: str) -> bool:
    parts = [p for p in re.split(r"[,;]", accepted) if p.strip()]
    return contains(hay, accepted) or (len(parts) > 1 and all(contains(hay, p) for p in parts))


def overlap(quote: str, evidence: str) -> bool:
    q, e = fold(quote), fold(evidence)
    if not q or not e:
        return False
    if e in q or (len(q) >= 30 and q in e):
        return True
    k = min(40, len(e))
    return any(e[i : i + k] in q for i in range(0, len(e) - k + 1, 5))


@dataclass
class Judged:
    item: dict[str, Any]
    ok: bool
    quote_ok: bool
    refused: bool
    reply: dict[str, Any] = field(repr=False)


def judge(item: dict[str, Any], reply: dict[str, Any]) -> Judged:
    quotes = [c.get("quote") or "" for c in reply.get("citations") or []]
    refused = reply.get("found") is False
    if item["type"] == "unanswerable":
        return Judged(item, refused, False, False, reply)
    evidence = " ".join(e.get("text", "") for e in item.get("evidence") or [])
    answer = reply.get("answer") or ""
    accepted = item.get("answers") or []
    if item["type"] == "listing":
        ok = bool(accepted) and all(contains(answer, a) for a in accepted)
    else:
        ok = any(answers(answer, a) for a in accepted)
    if item["type"] in ("figure", "fact") and not ok and quotes:
        ok = any(contains(quotes[0], a) for a in accepted) and overlap(quotes[0], evidence)
    quote_ok = bool(quotes) and overlap(quotes[0], evidence)
    return Judged(item, ok, quote_ok, refused, reply)


def load_items(paths: Iterable[Path]) -> list[dict[str, Any]]:
    items = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except ValueError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc})") from exc
    return items


def open_with_documents(
    settings: Settings,
    docs_dir: Path,
    data_dir: Path | None,
    progress: Callable[[str], None] | None = None,
    ranker: RankerModel | None = None,
) -> QAService:
    """A service over the bundled corpus plus every document of `docs_dir` (added once per data folder)."""
    root = Path(data_dir or tempfile.mkdtemp(prefix="hoidap-docset-"))
    # index_dir None: the index goes to its default place in this data folder, not to a configured one.
    own = settings.model_copy(update={"data_dir": root, "index_dir": None})
    if not (own.index_path / "manifest.json").exists():
        build_index(own)
    service = QAService.open(own, ranker=ranker)
    ledger = root / "added.json"  # file name -> doc id of what this folder already holds
    added: dict[str, str] = json.loads(ledger.read_text(encoding="utf-8")) if ledger.exists() else {}
    for path in sorted(p for p in docs_dir.iterdir() if p.suffix.lower() in DOC_SUFFIXES):
        if added.get(path.name) in service.docs:
            continue
        result = service.add_document(path.name, path.read_bytes())
        added[path.name] = result.info.doc_id
        ledger.write_text(json.dumps(added, ensure_ascii=False, indent=1), encoding="utf-8")
        if progress:
            progress(f"đã thêm {path.name} → {result.info.doc_id}")
    service.reload()  # serve the final index now, not from a background reload mid-run
    return service


def score(service: QAService, items: list[dict[str, Any]]) -> list[Judged]:
    return [judge(it, service.ask(it["question"]).to_dict()) for it in items]


def summary(judged: list[Judged]) -> dict[str, Any]:
    answerable = [j for j in judged if j.item["type"] != "unanswerable"]
    unanswerable = [j for j in judged if j.item["type"] == "unanswerable"]

    def share(xs: list[bool]) -> float:
        return round(sum(xs) / len(xs), 3) if xs else 0.0

    by_type: dict[str, list[bool]] = defaultdict(list)
    by_doc: dict[str, list[bool]] = defaultdict(list)
    buckets: dict[str, list[bool]] = defaultdict(list)
    for j in judged:
        by_type[j.item["type"]].append(j.ok)
        by_doc[j.item.get("doc_id") or "-"].append(j.ok)
        conf = j.reply.get("confidence")
        if j.item["type"] != "unanswerable" and not j.refused:
            key = (
                "none"
                if conf is None
                else f"{min(int(conf * 5), 4) / 5:.1f}-{min(int(conf * 5), 4) / 5 + 0.2:.1f}"
            )
            buckets[key].append(j.ok)
    return {
        "questions": len(judged),
        "answer_acc": share([j.ok for j in answerable]),
        "quote_at_1": share([j.quote_ok for j in answerable]),
        "false_not_found": share([j.refused for j in answerable]),
        "unanswerable": share([j.ok for j in unanswerable]),
        "by_type": {t: (share(v), len(v)) for t, v in sorted(by_type.items())},
        "by_doc": {d: (share(v), len(v)) for d, v in sorted(by_doc.items())},
        "reliability": {b: (len(v), share(v)) for b, v in sorted(buckets.items())},
        "messages": Counter((j.reply.get("message") or "")[:60] for j in answerable if j.refused).most_common(
            8
        ),
    }


def command(
    settings: Settings, docs: Path, gold: list[Path], data: Path | None, as_json: bool, misses: bool
) -> int:
    service = open_with_documents(settings, docs, data, progress=lambda m: print(m, flush=True))
    judged = score(service, load_items(gold))
    report = summary(judged)
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for key in ("questions", "answer_acc", "quote_at_1", "false_not_found", "unanswerable"):
            print(f"{key:18} {report[key]}")
        for key in ("by_type", "by_doc", "reliability", "messages"):
            print(key)
            rows = report[key].items() if isinstance(report[key], dict) else report[key]
            for k, v in rows:
                print(f"  {str(k)[:70]:70} {v}")
    if misses:
        for j in judged:
            if not j.ok:
                r = j.reply
                quote = " ".join(((r.get("citations") or [{}])[0].get("quote") or "").split())[:160]
                print(
                    f"MISS {j.item['id']} [{j.item['type']}] {j.item['question']}\n"
                    f"   gold: {j.item.get('answers')}\n"
                    f"   got: found={r.get('found')} {str(r.get('answer'))[:160]!r}"
                    f"\n   msg: {(r.get('message') or '')[:120]}\n   q1: {quote}"
                )
    return 0
