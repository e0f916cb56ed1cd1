"""The answer ranker: features, the saved model, training (no embedding model needed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from hoidap.eval.ranker_train import Asked, fit
from hoidap.service.extract import asked_document_kind, document_reference
from hoidap.service.ranker import (
    FEATURES,
    Candidate,
    RankerModel,
    features,
    number_share,
    phrase_coverage,
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
        "untitled_coverage": 1.0,  # covers the question's words beyond the document's title too
        "phrase_coverage": 1.0,  # and holds them as words, syllables side by side
        "value_rank_rr": 1.0,  # the first candidate a value is read from
    }
    weak = strong | {
        "extractable": 0.0,
        "coverage": 0.1,
        "content_coverage": 0.1,
        "untitled_coverage": 0.1,
        "phrase_coverage": 0.1,
        "value_rank_rr": 0.0,
        "year_mismatch": 1.0,
    }
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


def test_fit_learns_the_feature_that_separates_right_from_wrong() -> None:
    asked = []
    for i in range(40):
        right = i % 2 == 0
        feats = dict.fromkeys(FEATURES, 0.0) | {"content_coverage": 0.9 if right else 0.1, "rank_rr": 0.5}
        x = Asked(item=_Gold("lead", ["Sở Y tế"]))  # type: ignore[arg-type]
        x.lists.append(
            ("task", [Candidate(hit=None, value="Sở Y tế" if right else "Sở Xây dựng", features=feats)])
        )
        asked.append(x)
    mean, scale, coef, _ = fit(asked)
    assert coef[FEATURES.index("content_coverage")] > 1.0


def test_fit_keeps_evidence_weights_to_their_sign() -> None:
    # Clause coverage that, in this sample, goes with wrong answers must not get a negative weight:
    # more of the question's words in a clause never makes it less likely to answer.
    from hoidap.eval.ranker_train import SIGNS

    asked = []
    for i in range(40):
        right = i % 2 == 0
        feats = dict.fromkeys(FEATURES, 0.0) | {
            "content_coverage": 0.9 if right else 0.1,
            "coverage": 0.2 if right else 0.8,
            "year_mismatch": 1.0 if right else 0.0,
        }
        x = Asked(item=_Gold("lead", ["Sở Y tế"]))  # type: ignore[arg-type]
        x.lists.append(
            ("task", [Candidate(hit=None, value="Sở Y tế" if right else "Sở Xây dựng", features=feats)])
        )
        asked.append(x)
    _, _, coef, _ = fit(asked)
    weights = dict(zip(FEATURES, coef, strict=True))
    assert weights["content_coverage"] > 1.0
    assert weights["coverage"] == pytest.approx(0.0, abs=1e-6) and weights["year_mismatch"] <= 1e-6
    assert all(weights[f] * sign >= -1e-6 for f, sign in SIGNS.items())


def test_word_coverage_matches_accented_words_as_typed() -> None:
    text = "Tuyên truyền, xây dựng đội ngũ công chức cấp xã"
    assert word_coverage([("tuyển dụng", 1.0), ("công chức", 1.0)], text) == pytest.approx(0.5)
    assert word_coverage([("tuyen dung", 1.0)], text) == 1.0  # typed bare, the folded match is all there is


def test_phrase_coverage_needs_a_compound_word_side_by_side() -> None:
    """A voters' list is not asked of a clause on setting up a fund under a policy heading that names
    voters elsewhere: every syllable is there, the words are not."""
    words = [("danh sách", 2.0), ("cử tri", 3.0), ("lập", 1.0)]
    near_miss = "Chính sách hỗ trợ: thành lập Quỹ tín dụng; tiếp xúc cử tri theo danh mục"
    assert word_coverage(words, near_miss) == 1.0
    assert phrase_coverage(words, near_miss) == pytest.approx(4 / 6)  # "cử tri" and "lập" only
    assert phrase_coverage(words, "Ủy ban nhân dân xã lập danh sách cử tri.") == 1.0
    bare = [("danh sach", 2.0), ("cu tri", 3.0)]  # typed without diacritics: matched folded
    assert phrase_coverage(bare, "Lập danh sách cử tri") == 1.0
    assert phrase_coverage(bare, "danh mục, chính sách cư trú") == 0.0


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


def test_a_lexical_only_search_leaves_the_dense_features_at_their_mean() -> None:
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
    model = RankerModel.load()
    i = FEATURES.index("dense")
    assert model.probability(f) == pytest.approx(model.probability(f | {"dense": model.mean[i]}))


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


def test_with_development_sets_each_set_is_a_fold() -> None:
    from hoidap.eval.gold import GoldItem
    from hoidap.eval.ranker_train import set_folds

    items = [GoldItem.model_construct(id=f"q{i}", doc_id=f"d{i % 3}") for i in range(6)]
    folds = set_folds([(7, it) for it in items[:4]] + [(3, it) for it in items[4:]])
    assert folds == [0, 0, 0, 0, 1, 1]


def test_of_thresholds_equal_within_one_question_the_lowest_is_chosen() -> None:
    from hoidap.eval.ranker_train import threshold_choice

    assert threshold_choice({0.3: 306, 0.4: 307, 0.5: 295}) == 0.3  # one question: noise; refuse less
    assert threshold_choice({0.3: 304, 0.4: 307, 0.5: 295}) == 0.4  # three: a real difference
    assert threshold_choice({0.45: 80, 0.5: 80}) == 0.45


def test_a_clause_repeating_its_title_behind_a_marker_is_a_title_clause() -> None:
    """ "Điều 1. Thành lập Tổ công tác … gồm 05 đồng chí" repeats the decision's title: its article marker
    and its count are no words of its own (a commune Youth Union's decision, a ministry's circular)."""
    title = frozenset("thanh lap to cong tac ho tro chuyen doi so cho thanh nien nong thon".split())
    hits = [
        _Hit(
            _Entry(
                "Điều 1. Thành lập Tổ công tác hỗ trợ chuyển đổi số cho thanh niên nông thôn gồm 05 đồng chí."
            ),
            1.0,
            1.0,
            0.9,
        )
    ]
    kwargs = dict(
        coverage=1.0,
        content_text="",
        heading_text="",
        weighted_words=[("to cong tac", 1.0)],
        numbers=[],
        year_mismatch=False,
        value="x",
        task_row=False,
        folded_question="to cong tac co nhiem vu gi",
        path="lookup",
        title_words=title,
    )
    assert features(hits, 0, **kwargs)["title_clause"] == 1.0
    item = [_Hit(_Entry("2. Hỗ trợ hộ thanh niên đưa nông sản lên sàn thương mại điện tử."), 1.0, 1.0, 0.9)]
    assert features(item, 0, **kwargs)["title_clause"] == 0.0
    circular = frozenset("quy dinh che do bao cao thong ke nganh noi vu".split())
    article = [_Hit(_Entry("Khoản 2. Quy định chế độ báo cáo thống kê ngành Nội vụ."), 1.0, 1.0, 0.9)]
    assert features(article, 0, **kwargs | {"title_words": circular})["title_clause"] == 1.0


def test_unanswerable_questions_count_as_their_share_of_the_questions_users_ask() -> None:
    """Development sets written with few unanswerable questions would choose a threshold that answers
    everything; each recognised one counts so that they weigh the share the product's dev split gives."""
    from hoidap.eval.ranker_train import threshold_choice, unanswerable_share, unanswerable_weight

    assert unanswerable_weight(100, 1000, 0.2) == pytest.approx(0.25 * 900 / 100)
    assert unanswerable_weight(0, 1000, 0.2) == 1.0 and unanswerable_weight(300, 1000, 0.2) == 1.0
    assert 0.1 < unanswerable_share() < 0.4  # the bundled gold's dev split
    # A lower threshold answering 2 more answerable questions loses to one recognising 2 more of the rare
    # unanswerable ones once those count for their share.
    answered, refused = {0.25: 756, 0.3: 750}, {0.25: 96, 0.3: 100}
    w = unanswerable_weight(137, 1215, 0.2)
    assert threshold_choice({t: answered[t] + refused[t] for t in answered}) == 0.25
    assert threshold_choice({t: answered[t] + w * refused[t] for t in answered}) == 0.3
