"""Regression guard for the unseen-layout split: documents of other bodies added as uploads.

The twelve documents of `evalsets/unseen/docs` are added without metadata beside the bundled corpus
(the session index is copied first, so only the new documents are embedded), then the full system
answers the split's gold questions; the figures may not fall more than TOLERANCE below the committed
report (`reports/eval-unseen/summary.json`, written by `hoidap eval --split unseen`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hoidap.eval.runner import run
from hoidap.eval.unseen import prepare

ROOT = Path(__file__).resolve().parents[2]
UNSEEN = ROOT / "evalsets" / "unseen"
SUMMARY = ROOT / "reports" / "eval-unseen" / "summary.json"
TOLERANCE = 0.03


def test_unseen_split_does_not_regress(settings, built_index, tmp_path: Path) -> None:
    recorded = json.loads(SUMMARY.read_text(encoding="utf-8"))
    assert recorded["split"] == "unseen"
    root = tmp_path / "unseen"
    shutil.copytree(built_index[0], root / "data" / "index")  # the bundled vectors are reused
    service, gold = prepare(settings, UNSEEN / "docs", UNSEEN / "gold.jsonl", workdir=root)
    assert len(service.docs) == 5 + len(list((UNSEEN / "docs").iterdir()))
    metrics = run(service, gold, "unseen", ["hybrid"]).systems["hybrid"].metrics
    assert metrics["items"] == recorded["items"]
    for key in ("accuracy", "abstention_recall"):
        floor = recorded["systems"]["hybrid"][key] - TOLERANCE
        assert metrics[key] >= floor, f"{key} {metrics[key]:.3f} fell below {floor:.3f} (recorded - 3 points)"
