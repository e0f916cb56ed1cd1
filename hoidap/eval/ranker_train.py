"""Train the answer ranker (`service/ranker.py`) on development questions, never on test items: the
bundled corpus's dev split and the development document sets (`evalsets/devsets.json`: real documents of
other bodies added as uploads, with their questions).

Every dev question is asked once through the real answer layer; each candidate clause it ranks is a
row (its features; label: the value read from it is a right answer to the question). A logistic
regression (scikit-learn) is fitted to the rows; its probability for the best candidate is the
answer's confidence, and below the threshold chosen on the dev split the answer is "not found".
Answers read from records (a named task, a document's header, a task listing) get their path's dev
accuracy (Laplace-smoothed) as their confidence.

    hoidap eval --train-ranker --out hoidap/service/data/ranker.json \
        --devsets evalsets/devsets.json --devsets-data .cache/devsets      # make ranker
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from hoidap.eval.docset import open_with_documents
from hoidap.eval.gold import DEFAULT_GOLD_PATH, GoldItem, load_gold
from hoidap.eval.metrics import answer_matches
from hoidap.eval.runner import GoldError, load_items
from hoidap.service.answer import Answerer
from hoidap.service.qa import QAService
from hoidap.service.ranker import FEATURES, PATHS, Candidate, RankerModel
from hoidap.service.records import QuestionError
from hoidap.service.understanding import QueryAnalysis
from hoidap.settings import Settings

REGULARISATION_C = 1.0
# One decision threshold for every path, read off held-out answers (folds hold out whole documents; see
# `train`) over a coarse grid around 0.5 (answer when a right answer is about as likely as not); per path
# the development questions hold too few unanswerable ones to place one. Of the thresholds within one
# question of the best, the lowest: the model's probabilities sit lower on documents of bodies it was not
# fitted on (see the grid), and refusing answerable questions is the failure users meet most (issue 23).
THRESHOLD_NOISE = 1
# The grid reaches down to 0.15: on documents of other bodies the model's probabilities sit lower (their
# questions share fewer words with the clauses), and held-out documents first peaked at the old floor 0.3.
THRESHOLD_GRID = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
CV_FOLDS = 5
MIN_SET_FOLDS = 3  # sets (the dev split and development sets) from which each set is a fold of its own


@dataclass
class Asked:
    """One dev question: the candidate lists ranked while answering it, and the record paths used."""

    item: GoldItem
    lists: list[tuple[str, list[Candidate]]] = field(default_factory=list)
    record_path: str | None = None
    correct: bool = False


def _label(item: GoldItem, value: str | None) -> int:
    if item.type == "unanswerable" or not value:
        return 0
    return int(answer_matches(item.type, item.answers, value, True))


def collect(service: QAService, items: Sequence[GoldItem], model: RankerModel) -> list[Asked]:
    """Ask every item with `model`, keeping the candidates each answer path ranked."""
    current: list[Asked] = []

    def observe(a: QueryAnalysis, path: str, cands: list[Candidate]) -> None:
        if path in PATHS:
            current[-1].lists.append((path, list(cands)))
        else:
            current[-1].record_path = path

    inner = service.answerer
    answerer = Answerer(
        list(service.docs.values()), inner.searcher, inner.mode, inner.thresholds, model, observe
    )
    for item in items:
        current.append(Asked(item))
        try:
            ans = answerer.ask(item.question)
            current[-1].correct = answer_matches(item.type, item.answers, ans.answer, ans.found)
        except QuestionError:
            current[-1].correct = item.type == "unanswerable"
    return current


# Evidence can only make an answer more likely: more of the question's words covered, a better retrieval
# rank, the asked value readable, the question's numbers present; a year mismatch only less likely. An
# unconstrained fit on ~100 questions gave the clause's coverage a negative weight (it is collinear with
# the task text's coverage), so a clause sharing one word with the question could outrank one sharing
# all. Features not listed here (paths, task rows, ...) take either sign.
SIGNS: dict[str, int] = {
    "rank_rr": 1,
    "score_ratio": 1,
    "lexical_ratio": 1,
    "dense": 1,
    "dense_gap": 1,
    "coverage": 1,
    "content_coverage": 1,
    "heading_coverage": 1,
    "numbers": 1,
    "year_mismatch": -1,
    "extractable": 1,
    "value_in_question": -1,
    "value_context": 1,
    "value_rank_rr": 1,
    "kind_mismatch": -1,
    "label_match": 1,
    "missing_rare": -1,
    "phrase_coverage": 1,
}


def fit(asked: Sequence[Asked]) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Standardised L2 logistic regression over every ranked candidate, each weight held to the sign in
    `SIGNS` (scikit-learn's has no bounds, so the same objective goes to scipy's L-BFGS-B):
    (mean, scale, coef, intercept)."""
    from scipy.optimize import minimize
    from sklearn.preprocessing import StandardScaler

    rows = [(c.features, _label(x.item, c.value)) for x in asked for _, cands in x.lists for c in cands]
    if not rows or len({y for _, y in rows}) < 2:
        raise ValueError("the dev split gave no positive or no negative candidate; nothing to learn")
    X = np.array([[f[name] for name in FEATURES] for f, _ in rows], dtype=float)
    y = np.array([lab for _, lab in rows], dtype=float)
    scaler = StandardScaler().fit(X)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    Z = (X - scaler.mean_) / scale
    sign = 2.0 * y - 1.0

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        # scikit-learn's: C * sum of log-losses + |w|^2 / 2 (the intercept is not penalised).
        w, b = theta[:-1], theta[-1]
        margin = sign * (Z @ w + b)
        loss = np.logaddexp(0.0, -margin).sum()
        g = -sign * (1.0 / (1.0 + np.exp(margin)))  # d loss / d (Zw + b)
        grad = np.append(REGULARISATION_C * (Z.T @ g) + w, REGULARISATION_C * g.sum())
        return REGULARISATION_C * loss + 0.5 * float(w @ w), grad

    bounds = [
        (0.0, None) if SIGNS.get(f) == 1 else (None, 0.0) if SIGNS.get(f) == -1 else (None, None)
        for f in FEATURES
    ]
    result = minimize(
        objective, np.zeros(len(FEATURES) + 1), jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)]
    )
    return scaler.mean_, scale, result.x[:-1], float(result.x[-1])


Sets = Sequence[tuple[QAService, Sequence[GoldItem]]]


def collect_all(sets: Sets, model: RankerModel) -> list[Asked]:
    return [x for service, items in sets for x in collect(service, items, model)]


def _model(fitted: tuple[np.ndarray, np.ndarray, np.ndarray, float], trained_on: str = "") -> RankerModel:
    """A model of `fit`'s weights, deciding at 0.5 until its threshold is read."""
    mean, scale, coef, intercept = fitted
    return RankerModel(
        features=FEATURES,
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in coef),
        intercept=intercept,
        thresholds=dict.fromkeys(PATHS, 0.5),
        path_confidence={},
        trained_on=trained_on,
    )


def train(sets: Sets, progress: Callable[[str], None] | None = None, label: str = "dev split") -> RankerModel:
    """Fit the ranker on the items of `sets` (each asked through its own service) and read its threshold
    and path confidences off them."""
    say = progress or (lambda _m: None)
    n = sum(len(items) for _, items in sets)
    say(f"Thu thập ứng viên: {n} câu hỏi ({label})")
    untrained = RankerModel.untrained()
    collected = [(service, x) for service, items in sets for x in collect(service, items, untrained)]
    model = _model(fit([x for _, x in collected]), f"{label}, {n} questions")
    # The threshold is read off held-out answers: each fold's questions asked with a model fitted on the
    # other folds. Read off the questions the model was fitted on, it drifts upwards (it rejects the
    # training set's own wrong candidates: 0.55 in-sample where held-out answers peak at 0.5).
    # Folds hold out whole documents: a threshold read off questions whose documents the model was fitted on
    # says how it does on documents it has seen, not on the next user's. With development sets, each set is
    # a fold of its own: a set is one helper's documents of bodies no other set has, so the threshold is read
    # as it is used, on documents of bodies the model was not fitted on (their probabilities sit lower).
    keyed = [(id(service), x.item) for service, x in collected]
    fold_of = set_folds(keyed) if len(sets) >= MIN_SET_FOLDS else document_folds(keyed)
    folds = sorted(set(fold_of))
    answered_at = dict.fromkeys(THRESHOLD_GRID, 0)  # answerable questions answered right
    refused_at = dict.fromkeys(THRESHOLD_GRID, 0)  # unanswerable ones recognised
    for k in folds:
        fold_model = _model(fit([x for j, (_, x) in enumerate(collected) if fold_of[j] != k]))
        held = [(service, x.item) for j, (service, x) in enumerate(collected) if fold_of[j] == k]
        for t in THRESHOLD_GRID:
            trial = replace(fold_model, thresholds=dict.fromkeys(PATHS, t))
            for service in dict.fromkeys(sv for sv, _ in held):
                items = [item for sv, item in held if sv is service]
                for x in collect(service, items, trial):
                    if x.item.type == "unanswerable":
                        refused_at[t] += x.correct
                    else:
                        answered_at[t] += x.correct
    unanswerable = sum(x.item.type == "unanswerable" for _, x in collected)
    weight = unanswerable_weight(unanswerable, n, unanswerable_share())
    right_at = {t: answered_at[t] + weight * refused_at[t] for t in THRESHOLD_GRID}
    for t in THRESHOLD_GRID:
        right = answered_at[t] + refused_at[t]
        say(
            f"  ngưỡng {t}: {right}/{n} đúng, trong đó {refused_at[t]}/{unanswerable} câu không có lời đáp "
            f"được nhận ra; có trọng số {right_at[t]:.1f} (kiểm chéo {len(folds)} phần)"
        )
    best = threshold_choice(right_at)
    model = replace(model, thresholds=dict.fromkeys(PATHS, best))
    # Record paths' confidence: their accuracy on the training questions with the final model.
    final = collect_all(sets, model)
    per_path: dict[str, list[bool]] = defaultdict(list)
    for x in final:
        if x.record_path:
            per_path[x.record_path].append(x.correct)
    # Laplace's rule: 12 right of 12 says "very likely", not "certain".
    confidence = {p: round((sum(v) + 1) / (len(v) + 2), 3) for p, v in per_path.items() if v}
    model = replace(model, path_confidence=confidence)
    right = sum(x.correct for x in final)
    say(f"Huấn luyện: {right}/{len(final)} đúng; ngưỡng {best}; tin cậy theo bản ghi {confidence}")
    return model


def unanswerable_share(path: Path = DEFAULT_GOLD_PATH) -> float:
    """The share of questions the documents do not answer among the product's own dev-split questions,
    written to its specification as users ask."""
    dev = [item for item in load_gold(path) if item.split == "dev"]
    return sum(item.type == "unanswerable" for item in dev) / len(dev) if dev else 0.0


def unanswerable_weight(unanswerable: int, total: int, share: float) -> float:
    """The weight of one recognised unanswerable question in the threshold's count, so that the development
    questions' unanswerable ones count as `share` of all: a threshold is chosen for the mix of questions users
    ask, not for the one the development sets happen to hold (helpers wrote fewer unanswerable ones).
    1.0 (plain count) without unanswerable questions or when they already make up the share."""
    answerable = total - unanswerable
    if not unanswerable or not answerable or not 0.0 < share < 1.0:
        return 1.0
    return max(1.0, share / (1.0 - share) * answerable / unanswerable)


def threshold_choice(right_at: dict[float, float]) -> float:
    """The lowest threshold whose held-out count of right answers is within THRESHOLD_NOISE of the best: a
    difference of one question is noise, and of equals the one that refuses less is chosen."""
    top = max(right_at.values())
    return min(t for t, right in right_at.items() if right >= top - THRESHOLD_NOISE)


def set_folds(keyed: Sequence[tuple[int, GoldItem]]) -> list[int]:
    """The fold of each item: the index of its set (its service), in order of first appearance."""
    order: dict[int, int] = {}
    return [order.setdefault(service_key, len(order)) for service_key, _ in keyed]


def document_folds(keyed: Sequence[tuple[int, GoldItem]]) -> list[int]:
    """A fold per item such that all questions of one document (of one service) share a fold; documents
    go round-robin to folds in order of first appearance. Questions naming no document are their own group."""
    groups: dict[tuple[int, str], int] = {}
    out = []
    for service_key, item in keyed:
        key = (service_key, item.doc_id or f"#{item.id}")
        if key not in groups:
            groups[key] = len(groups) % CV_FOLDS
        out.append(groups[key])
    return out


def docset_items(paths: Sequence[Path]) -> list[GoldItem]:
    """Items of development gold files whose evidence is text only (`eval/docset.py` format): only the
    fields training reads (id, question, type, document, accepted answers) are kept."""
    from hoidap.eval.docset import load_items as load_docset

    return [
        GoldItem.model_construct(
            id=it["id"],
            question=it["question"],
            type=it["type"],
            doc_id=it.get("doc_id") or None,
            answers=list(it.get("answers") or []),
            evidence=[],
            split="dev",
        )
        for it in load_docset(paths)
    ]


def command(args: argparse.Namespace) -> int:
    """`hoidap eval --train-ranker --out FILE [--gold] [--devsets] [--devsets-data]`: train on the bundled
    dev split and every development document set given (each its own service), write the model."""
    if not args.out:
        raise SystemExit("Lỗi: --train-ranker cần --out TỆP.json (ví dụ hoidap/service/data/ranker.json).")
    # The saved model may be for another feature list (the one being retrained): not loaded.
    service = QAService.open(args.settings, ranker=RankerModel.untrained())
    try:  # always the dev split: test and unseen items never shape the model
        items = load_items(
            Path(args.gold) if args.gold else DEFAULT_GOLD_PATH, "dev", list(service.docs.values())
        )
    except GoldError as exc:
        raise SystemExit(f"Lỗi: {exc}") from exc
    docsets = _docsets(args.settings, Path(args.devsets), args.devsets_data) if args.devsets else []
    sets = [(service, items), *docsets]
    n_docs = sum(len({i.doc_id for i in its}) for _, its in docsets)
    label = f"dev split + {len(docsets)} development sets ({n_docs} documents)" if docsets else "dev split"
    model = train(sets, progress=lambda m: print(m, file=sys.stderr), label=label)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"Đã ghi mô hình xếp hạng: {out}", file=sys.stderr)
    return 0


def _docsets(settings: Settings, spec_path: Path, data: str | None) -> Sets:
    """Development document sets (real documents added as uploads, with their questions), each in its
    own data folder (`data`/set-<n>, kept between runs) or a temporary one."""
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    root = Path(data) if data else None
    out = []
    for n, entry in enumerate(spec["sets"]):
        svc = open_with_documents(
            settings,
            Path(entry["docs"]),
            root / f"set-{n}" if root else None,
            lambda m: print(m, file=sys.stderr),
            ranker=RankerModel.untrained(),
        )
        out.append((svc, docset_items([Path(g) for g in entry["gold"]])))
    return out
