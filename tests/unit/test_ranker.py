"""The answer ranker: features, the saved model, training (no embedding model needed)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from hoidap.eval.ranker_train import Asked, fit
from hoidap.service.extract import asked_document_kind, document_reference
from hoidap.service.ranker import (
    FEATURES,
    Candidate,
    RankerModel,
    features,
    number_share,
    question_numbers,
    word_coverage,
)


@dataclass
class _Entry:
    text: str


@dataclass
class _Hit:
    entry: _Entry
    score: float
    lexical: float
    dense: float


def test_question_numbers_leave_years_to_the_year_check() -> None:
    assert question_numbers("ty le doanh nghiep doi moi sang tao dat 40% nam 2030", [2030]) == ["40%"]
    assert question_numbers("nhiem vu 2.2 ve chuyen doi so", []) == ["2.2"]


def test_number_share_needs_the_whole_number() -> None:
    assert (
        number_share(["40%"], "Tỷ lệ doanh nghiệp có hoạt động đổi mới sáng tạo đạt tối thiểu 40 %.") == 1.0
    )
    assert number_share(["40%"], "Tỷ lệ người dân có tài khoản định danh điện tử đạt 140%.") == 0.0
    assert number_share([], "bất kỳ") == 0.0


def test_word_coverage_weighs_rare_words() -> None:
    words = [("doi moi sang tao", 5.0), ("phat trien", 1.0)]
    assert word_coverage(words, "đổi mới sáng tạo") == pytest.approx(5 / 6)
    assert word_coverage(words, "phát triển kinh tế") == pytest.approx(1 / 6)


def test_features_cover_the_saved_feature_list() -> None:
    hits = [
        _Hit(_Entry("Sở Công Thương chủ trì khuyến công"), 1.0, 10.0, 0.9),
        _Hit(_Entry("khác"), 0.5, 2, 0.8),
    ]
    f = features(
        hits,
        1,
        coverage=0.5,
        content_text="khác",
        heading_text="II. Nhiệm vụ",
        weighted_words=[("khuyen cong", 2.0)],
        numbers=[],
        year_mismatch=True,
        value=None,
        task_row=False,
        folded_question="ai chu tri khuyen cong",
        path="figure",
    )
    assert set(f) == set(FEATURES)
    assert f["rank_rr"] == 0.5 and f["score_ratio"] == 0.5 and f["year_mismatch"] == 1.0
    assert f["dense_gap"] == pytest.approx(-0.1) and f["path_figure"] == 1.0 and f["extractable"] == 0.0


def test_saved_model_prefers_a_candidate_that_answers() -> None:
    model = RankerModel.load()
    assert model.features == FEATURES and model.trained_on.startswith("dev split")
    strong = dict.fromkeys(FEATURES, 0.0) | {
        "rank_rr": 1.0,
        "score_ratio": 1.0,
        "lexical_ratio": 1.0,
        "coverage": 1.0,
        "content_coverage": 1.0,
        "extractable": 1.0,
        "task_row": 1.0,
        "dense": 0.9,
    }
    weak = strong | {"extractable": 0.0, "coverage": 0.1, "content_coverage": 0.1, "year_mismatch": 1.0}
    ranked = model.rank(
        [Candidate(hit=None, value=None, features=weak), Candidate(hit=None, value="x", features=strong)]
    )
    assert ranked[0].value == "x"
    assert ranked[0].probability >= model.threshold("task") > ranked[1].probability


def test_a_model_saved_for_other_features_is_refused(tmp_path: Path) -> None:
    raw = json.loads(RankerModel.untrained().to_json())
    raw["features"] = raw["features"][:-1]
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="retrain"):
        RankerModel.load(path)


def _asked_with(rows: list[tuple[dict[str, float], bool]]) -> list[Asked]:
    asked = []
    for feats, right in rows:
        x = Asked(item=_Gold("lead", ["Sở Y tế"]))  # type: ignore[arg-type]
        value = "Sở Y tế" if right else "Sở Xây dựng"
        x.lists.append(
            ("task", [Candidate(hit=None, value=value, features=dict.fromkeys(FEATURES, 0.0) | feats)])
        )
        asked.append(x)
    return asked


def test_fit_learns_the_feature_that_separates_right_from_wrong() -> None:
    rows = [({"content_coverage": 0.9 if i % 2 == 0 else 0.1, "rank_rr": 0.5}, i % 2 == 0) for i in range(80)]
    model = fit(_asked_with(rows))
    right = dict.fromkeys(FEATURES, 0.0) | {"content_coverage": 0.9, "rank_rr": 0.5}
    wrong = right | {"content_coverage": 0.1}
    assert model.probability(right) > 0.5 > model.probability(wrong)


def test_fit_keeps_evidence_effects_to_their_sign() -> None:
    # Clause coverage that, in this sample, goes with wrong answers must not lower a candidate's chance:
    # more of the question's words in a clause never makes it less likely to answer.
    rows = [
        (
            {
                "content_coverage": 0.9 if i % 2 == 0 else 0.1,
                "coverage": 0.2 if i % 2 == 0 else 0.8,
                "year_mismatch": 1.0 if i % 2 == 0 else 0.0,
            },
            i % 2 == 0,
        )
        for i in range(80)
    ]
    model = fit(_asked_with(rows))
    base = dict.fromkeys(FEATURES, 0.0) | {"content_coverage": 0.5}
    by_coverage = [model.probability(base | {"coverage": c / 10}) for c in range(11)]
    assert all(b >= a - 1e-12 for a, b in zip(by_coverage, by_coverage[1:], strict=False))
    assert model.probability(base | {"year_mismatch": 1.0}) <= model.probability(base) + 1e-12
    assert model.probability(base | {"content_coverage": 0.9}) > model.probability(
        base | {"content_coverage": 0.1}
    )


def test_boosted_trees_score_as_scikit_learn_does_and_survive_saving(tmp_path: Path) -> None:
    """The service scores with the saved node arrays, without scikit-learn: the same probabilities, a
    missing feature (no dense scores) included, before and after a JSON round trip."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from hoidap.eval.ranker_train import boosted_trees

    rng = np.random.default_rng(0)
    X = rng.random((600, len(FEATURES)))
    X[rng.random(X.shape) < 0.1] = np.nan
    y = (np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 5]) > 1.0).astype(int)
    boosted = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=7, random_state=0).fit(X, y)
    trees, baseline = boosted_trees(boosted)
    model = replace(RankerModel.untrained(), trees=trees, baseline=baseline)
    path = tmp_path / "ranker.json"
    path.write_text(model.to_json(), encoding="utf-8")
    loaded = RankerModel.load(path)
    test = X[:50]
    expected = boosted.predict_proba(test)[:, 1]
    for row, p in zip(test, expected, strict=True):
        feats = {name: float(v) for name, v in zip(FEATURES, row, strict=True) if not np.isnan(v)}
        assert model.probability(feats) == pytest.approx(p, abs=1e-9)
        assert loaded.probability(feats) == pytest.approx(p, abs=1e-9)


def test_word_coverage_matches_accented_words_as_typed() -> None:
    text = "Tuyên truyền, xây dựng đội ngũ công chức cấp xã"
    assert word_coverage([("tuyển dụng", 1.0), ("công chức", 1.0)], text) == pytest.approx(0.5)
    assert word_coverage([("tuyen dung", 1.0)], text) == 1.0  # typed bare, the folded match is all there is


@dataclass
class _Gold:
    type: str
    answers: list[str]


def test_document_reference_names_the_cited_decision() -> None:
    text = (
        "Tiếp tục thực hiện Nghị quyết 19-NQ/TW ngày 16 tháng 6 năm 2022; triển khai Chiến lược tổng thể "
        "phát triển khu vực dịch vụ phê duyệt tại Quyết định số 531/QĐ-TTg ngày 01 tháng 4 năm 2021 và "
        "Quyết định số 411/QĐ-TTg ngày 31/3/2022 về kinh tế số."
    )
    assert asked_document_kind("chien luoc dich vu ban hanh tai quyet dinh nao") == "quyet dinh"
    assert asked_document_kind("ai chu tri nhiem vu 5.4") is None
    got = document_reference(text, "quyet dinh", ["chiến_lược", "tổng_thể", "dịch_vụ"])
    assert got == "Quyết định số 531/QĐ-TTg ngày 01 tháng 4 năm 2021"
    assert (
        document_reference(text, "nghi quyet", ["nông_nghiệp"])
        == "Nghị quyết 19-NQ/TW ngày 16 tháng 6 năm 2022"
    )
    assert document_reference(text, "thong tu", ["dịch_vụ"]) is None


def test_a_lexical_only_search_leaves_the_dense_features_out() -> None:
    hits = [_Hit(_Entry("Sở Y tế chủ trì"), 1.0, 10.0, 0.0), _Hit(_Entry("khác"), 0.5, 5.0, 0.0)]
    f = features(
        hits,
        0,
        coverage=1.0,
        content_text="Sở Y tế chủ trì",
        heading_text="",
        weighted_words=[("y te", 1.0)],
        numbers=[],
        year_mismatch=False,
        value="Sở Y tế",
        task_row=True,
        folded_question="ai chu tri y te",
        path="task",
    )
    assert "dense" not in f and "dense_gap" not in f
    # The saved model scores the candidate without them (missing values take the path training gave
    # them), and a clause that covers the question and states the lead still answers.
    model = RankerModel.load()
    assert model.probability(f) >= model.threshold("task")


def test_a_service_for_retraining_does_not_load_a_stale_saved_model(monkeypatch):
    # Adding a feature makes the saved model stale; `hoidap eval --train-ranker` must still open the
    # service it trains through (with an untrained model), while serving refuses the stale one.
    from hoidap.service import qa

    def stale(*_a, **_k):
        raise ValueError("saved for other features; retrain")

    monkeypatch.setattr(qa.Answerer.__init__.__globals__["RankerModel"], "load", staticmethod(stale))
    with pytest.raises(ValueError, match="retrain"):
        qa.QAService([], qa._NoSearch(), None)
    service = qa.QAService([], qa._NoSearch(), None, ranker=RankerModel.untrained())
    assert service.answerer.ranker.trained_on == RankerModel.untrained().trained_on


def test_threshold_folds_hold_out_whole_documents() -> None:
    from hoidap.eval.gold import GoldItem
    from hoidap.eval.ranker_train import CV_FOLDS, document_folds

    items = [
        GoldItem.model_construct(id=f"q{i}", question="?", type="fact", doc_id=f"d{i % 7}", answers=[])
        for i in range(40)
    ]
    folds = document_folds([(1, it) for it in items] + [(2, it) for it in items[:5]])
    by_doc: dict[tuple[int, str], set[int]] = {}
    for (service, it), k in zip(
        [(1, it) for it in items] + [(2, it) for it in items[:5]], folds, strict=True
    ):
        by_doc.setdefault((service, it.doc_id), set()).add(k)
    assert all(len(ks) == 1 for ks in by_doc.values())  # a document's questions never straddle folds
    assert set(folds) == set(range(CV_FOLDS))


def test_threshold_moves_from_one_half_only_for_more_than_one_question() -> None:
    from hoidap.eval.ranker_train import threshold_choice

    assert threshold_choice({0.3: 307, 0.4: 306, 0.5: 295}) == 0.4  # one question: noise
    assert threshold_choice({0.3: 312, 0.4: 306, 0.5: 295}) == 0.3
    assert threshold_choice({0.45: 80, 0.5: 80}) == 0.5
