"""The wh-frame reader (service/frames.py): where a question's wh-word stands, and the value a clause
gives in that place. Questions and clauses come from documents of different bodies and kinds (a
government decree, a commune Party committee's notice, a ward's procurement decision, a ministry's
circular), none of them tied to one phrase."""

from __future__ import annotations

import pytest

from hoidap.corpus.normalize import fold
from hoidap.service.frames import (
    HEADING_NOUN_SHARE,
    HEADING_SHARE,
    Frame,
    frame_value,
    heading_value,
    question_frame,
    with_heading,
)


def frame(q: str) -> Frame:
    f = question_frame(fold(q))
    assert f is not None, q
    return f


@pytest.mark.parametrize(
    ("question", "clause", "expected"),
    [
        # A decree: the subject before an ordinary verb, typed without diacritics.
        (
            "ai cap ma so va tai khoan truy cap co so du lieu cho quy",
            "a) Ủy ban nhân dân cấp tỉnh cấp mã số và tài khoản truy cập Cơ sở dữ liệu cho quỹ;",
            "Ủy ban nhân dân cấp tỉnh",
        ),
        # A Party committee's notice: "Giao" and the verbs the subject runs into are not the subject.
        (
            "Ai được giao hoàn thiện báo cáo tình hình kinh tế - xã hội?",
            "Giao Văn phòng Đảng uỷ tiếp thu, chỉnh lý, hoàn thiện báo cáo tình hình kinh tế - xã hội.",
            "Văn phòng Đảng uỷ",
        ),
        # An auxiliary between subject and verb ("có trách nhiệm").
        (
            "Cơ quan nào hướng dẫn thi hành Thông tư này?",
            "2. Sở Lao động - Thương binh và Xã hội có trách nhiệm hướng dẫn thi hành Thông tư này.",
            "Sở Lao động - Thương binh và Xã hội",
        ),
        # A nominal predicate: "theo đề nghị của X".
        (
            "Cơ quan nào đề nghị ban hành Quyết định thành lập Ban Chỉ đạo?",
            "Xét đề nghị của Ban Xây dựng Đảng,",
            "Ban Xây dựng Đảng",
        ),
    ],
)
def test_subject_frames(question: str, clause: str, expected: str) -> None:
    f = frame(question)
    assert f.side == "subject"
    read = frame_value(clause, f)
    assert read is not None and read[0] == expected


def test_object_frame_reads_what_follows_the_predicate() -> None:
    f = frame("Hội đồng thương lượng tập thể báo cáo kết quả hoạt động cho ai?")
    assert f.side == "object" and f.wants_body
    clause = "Hội đồng báo cáo kết quả hoạt động cho Ủy ban nhân dân cấp tỉnh, đồng thời gửi Sở Nội vụ."
    assert frame_value(clause, f) == ("Ủy ban nhân dân cấp tỉnh", 1.0)


def test_object_frame_with_a_qualifier_after_the_wh_word() -> None:
    f = frame("Nghị định này thay thế nghị định nào về văn thư?")
    read = frame_value("Nghị định này thay thế Nghị định số 110/2004/NĐ-CP về công tác văn thư.", f)
    assert read is not None and read[0].startswith("Nghị định số 110/2004/NĐ-CP")


def test_copula_frame_reads_a_labelled_value() -> None:
    f = frame("Hình thức hợp đồng của gói thầu đo đạc là gì?")
    assert f.side == "copula" and f.words == ("hinh", "thuc", "hop", "dong")
    assert frame_value("- Hình thức hợp đồng: Trọn gói.", f) == ("Trọn gói", 1.0)
    # The label must be followed by its value: a sentence merely naming it gives nothing.
    assert frame_value("Việc lựa chọn hình thức hợp đồng phải phù hợp.", f) is None


@pytest.mark.parametrize(
    "clause",
    [
        "3. Bộ Công an là cơ quan thường trực của Ban Chỉ đạo.",  # "X là <label>"
        "- Cơ quan thường trực: Bộ Công an.",  # "<label>: X"
    ],
)
def test_copula_frame_reads_either_order(clause: str) -> None:
    f = frame("Cơ quan thường trực của Ban Chỉ đạo là cơ quan nào?")
    read = frame_value(clause, f)
    assert read is not None and read[0] == "Bộ Công an"


def test_a_body_is_required_where_one_is_asked() -> None:
    f = frame("ai chiu trach nhiem ve noi dung cong khai thu tuc")
    assert frame_value("Việc công khai thủ tục được thực hiện đúng quy định.", f) is None


@pytest.mark.parametrize(
    "question",
    [
        "hoi nghi hop tu ngay nao den ngay nao",  # two wh-words: no one place to read
        "Mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?",  # a figure, not a frame
        "kinh phí thực hiện kế hoạch",  # keywords: no wh-word at all
    ],
)
def test_no_frame(question: str) -> None:
    assert question_frame(fold(question)) is None


@pytest.mark.parametrize(
    ("question", "clause", "expected"),
    [
        # A ward's decision forming an election board: a member list whose items end with the post.
        (
            "ai la truong ban bau cu don vi so 3",
            "1. Ông Lê Văn Tám, Phó Chủ tịch Ủy ban nhân dân phường, Trưởng ban;",
            "Ông Lê Văn Tám",
        ),
        # A Prime Minister's decision: "post: holder" lines, typed with diacritics.
        (
            "Ai là Trưởng Ban Chỉ đạo?",
            "a) Trưởng Ban Chỉ đạo: Thủ tướng Chính phủ;",
            "Thủ tướng Chính phủ",
        ),
        # A Party committee's decision: "X làm <post>", the post asked with "là ai" at the end.
        (
            "Thư ký Ban Chỉ đạo của Đảng ủy xã là ai?",
            "Giao đồng chí Phạm Thị Hoa, chuyên viên Văn phòng Đảng ủy làm Thư ký Ban Chỉ đạo.",
            "đồng chí Phạm Thị Hoa, chuyên viên Văn phòng Đảng ủy",
        ),
    ],
)
def test_holder_frames_read_who_holds_a_post(question: str, clause: str, expected: str) -> None:
    f = frame(question)
    assert f.side == "copula" and f.holder
    read = frame_value(clause, f)
    assert read is not None and read[0] == expected


@pytest.mark.parametrize(
    "clause",
    [
        "2. Bà Trần Thị Lan, Chủ tịch Hội Liên hiệp Phụ nữ phường, Phó Trưởng ban;",  # another post
        "b) Phó Trưởng Ban: Bộ trưởng Bộ Công an;",
        "5. Ông Nguyễn Văn Năm, Trưởng ban Công tác Mặt trận khu phố 2, Ủy viên;",  # inside, not last
    ],
)
def test_a_post_named_with_a_modifier_or_inside_an_item_is_not_the_one_asked(clause: str) -> None:
    assert frame_value(clause, frame("Ai là Trưởng ban?")) is None


def test_who_leads_a_task_stays_a_lead_question() -> None:
    f = frame("Ai là người chủ trì nhiệm vụ 3?")
    assert not f.holder and f.role_verb


def test_which_body_is_the_standing_one_reads_the_label_it_holds() -> None:
    """'Cơ quan nào là cơ quan thường trực': the body the clause names as holding that label, not the
    subject of 'thường trực' ('Phó Trưởng Ban thường trực: …' is a post, not the standing body)."""
    f = frame("Cơ quan nào là cơ quan thường trực của Tổ công tác?")
    assert f.side == "copula" and not f.holder
    assert frame_value("Điều 3. Sở Khoa học và Công nghệ là cơ quan thường trực của Tổ công tác.", f) == (
        "Sở Khoa học và Công nghệ",
        1.0,
    )
    assert frame_value("2. Phó Trưởng Ban thường trực: Phó Chủ tịch UBND tỉnh.", f) is None


def test_a_person_is_read_without_the_occasion_that_follows() -> None:
    f = frame("Thông báo này là kết luận của ai?")
    clause = "Kết luận của Chủ tịch UBND huyện Đỗ Văn Hùng tại buổi làm việc với các xã"
    read = frame_value(clause, f)
    assert read is not None and read[0] == "Chủ tịch UBND huyện Đỗ Văn Hùng"


@pytest.mark.parametrize(
    ("question", "clause", "expected"),
    [
        # A ministry's circular: the replaced one is the subject of "hết hiệu lực".
        (
            "Thông tư 12/2024/TT-BYT thay thế thông tư nào?",
            "2. Thông tư số 07/2019/TT-BYT ngày 28 tháng 3 năm 2019 hết hiệu lực kể từ ngày Thông tư này "
            "có hiệu lực.",
            "Thông tư số 07/2019/TT-BYT ngày 28 tháng 3 năm 2019",
        ),
        # A provincial decision: "thay cho", the replaced one after it.
        (
            "quyet dinh 15/2025 cua ubnd tinh thay the quyet dinh nao",
            "Quyết định này có hiệu lực kể từ ngày ký và thay cho Quyết định số 40/2020/QĐ-UBND.",
            "Quyết định số 40/2020/QĐ-UBND",
        ),
    ],
)
def test_a_replaced_document_is_read_from_other_wordings_of_replace(question, clause, expected) -> None:
    read = frame_value(clause, frame(question))
    assert read is not None and read[0] == expected


def test_a_member_list_item_with_the_post_after_a_dash():
    """A Party committee's decision lists "1. Đồng chí A, <offices> - Trưởng ban." (a dash, not a comma)."""
    from hoidap.corpus.normalize import fold
    from hoidap.service.frames import frame_value, question_frame

    frame = question_frame(fold("Ai là Trưởng ban chỉ đạo phòng chống dịch của phường?").lower())
    got = frame_value("1. Đồng chí Trần Văn Bình, Bí thư Đảng ủy phường - Trưởng ban.", frame)
    assert got is not None and got[0] == "Đồng chí Trần Văn Bình"
    assert frame_value("2. Đồng chí Lê Thị Hoa, Chủ tịch UBND phường - Phó Trưởng ban.", frame) is None


@pytest.mark.parametrize(
    ("question", "clause", "expected"),
    [
        # A commune Fatherland Front's plan: "cho ai" answered where the clause says "về".
        (
            "Các thành viên Mặt trận xã báo cáo kết quả giám sát cho ai?",
            "Các thành viên báo cáo kết quả về Ban Thường trực trước ngày 15 tháng 10 năm 2025.",
            "Ban Thường trực",
        ),
        # A district Youth Union's letter: "gửi … cho" answered by "gửi … đến", the due date left out.
        (
            "Các cơ sở Đoàn gửi danh sách đăng ký gian hàng cho đơn vị nào?",
            "Các cơ sở Đoàn gửi danh sách đăng ký về Văn phòng Huyện đoàn, chậm nhất ngày 05/6/2025.",
            "Văn phòng Huyện đoàn",
        ),
    ],
)
def test_an_object_of_direction_is_read_after_the_clauses_own_preposition(
    question: str, clause: str, expected: str
) -> None:
    read = frame_value(clause, frame(question))
    assert read is not None and read[0] == expected, read


def test_a_direction_needs_some_of_the_question_words_before_it() -> None:
    f = frame("Các thành viên báo cáo kết quả giám sát cho ai?")
    assert frame_value("Kinh phí do ngân sách xã cấp về Ban Thường trực.", f) is None


@pytest.mark.parametrize(
    ("question", "clause", "expected"),
    [
        # A Party resolution: the body one body has act ("chỉ đạo X lãnh đạo …") does what is asked.
        (
            "Ai được giao lãnh đạo, chỉ đạo Hội đồng nhân dân tỉnh triển khai Đề án?",
            "Giao Ban Thường vụ Tỉnh ủy chỉ đạo Đảng đoàn Hội đồng nhân dân tỉnh lãnh đạo, chỉ đạo Hội đồng "
            "nhân dân tỉnh triển khai Đề án.",
            "Đảng đoàn Hội đồng nhân dân tỉnh",
        ),
        # A provincial letter, without diacritics: "đề nghị X xem xét …".
        (
            "co quan nao xem xet ho tro kinh phi dieu tra",
            "Ủy ban nhân dân tỉnh đề nghị Bộ Tài chính xem xét, hỗ trợ kinh phí điều tra cho tỉnh.",
            "Bộ Tài chính",
        ),
        # A district Party committee's conclusion: the body made to act leads the bodies it works with
        # ("chỉ đạo X phối hợp với Y [rà soát …]": X, not the one who directs it nor its partner).
        (
            "Cơ quan nào rà soát, sắp xếp lại các thôn, tổ dân phố?",
            "Ban Thường vụ Huyện ủy chỉ đạo Ủy ban nhân dân huyện phối hợp với Ban Tổ chức Huyện ủy rà soát, "
            "sắp xếp lại các thôn, tổ dân phố.",
            "Ủy ban nhân dân huyện",
        ),
        # A district's regulation on spending: "… gửi X thẩm định, trình Y phê duyệt": the body a file is sent
        # or submitted to does what follows.
        (
            "Cơ quan nào thẩm định dự toán kinh phí sự nghiệp môi trường cấp huyện?",
            "Phòng Tài nguyên và Môi trường lập dự toán kinh phí sự nghiệp môi trường cấp huyện gửi "
            "Phòng Tài chính - Kế hoạch thẩm định, trình Chủ tịch Ủy ban nhân dân huyện phê duyệt.",
            "Phòng Tài chính - Kế hoạch",
        ),
        (
            "ai phe duyet du toan kinh phi su nghiep moi truong cap huyen",
            "Phòng Tài nguyên và Môi trường lập dự toán kinh phí sự nghiệp môi trường cấp huyện gửi "
            "Phòng Tài chính - Kế hoạch thẩm định, trình Chủ tịch Ủy ban nhân dân huyện phê duyệt.",
            "Chủ tịch Ủy ban nhân dân huyện",
        ),
        # The one who asks stays the subject when the question names the causative verb itself.
        (
            "Ai đề nghị Bộ Tài chính xem xét hỗ trợ kinh phí?",
            "Ủy ban nhân dân tỉnh đề nghị Bộ Tài chính xem xét, hỗ trợ kinh phí điều tra cho tỉnh.",
            "Ủy ban nhân dân tỉnh",
        ),
    ],
)
def test_the_body_made_to_act_is_the_subject(question: str, clause: str, expected: str) -> None:
    read = frame_value(clause, frame(question))
    assert read is not None and read[0] == expected


def test_the_bodies_a_lead_works_with_are_not_the_subject() -> None:
    # A standing committee's resolution: "X chủ trì, phối hợp với A, B và C giúp …" — X acts.
    f = frame("Ai giúp Ủy ban Thường vụ Quốc hội theo dõi việc triển khai Nghị quyết?")
    clause = (
        "Giao Tổng Thư ký Quốc hội chủ trì, phối hợp với Hội đồng Dân tộc, các Ủy ban, các cơ quan thuộc Ủy "
        "ban Thường vụ Quốc hội và Văn phòng Quốc hội giúp Ủy ban Thường vụ Quốc hội theo dõi việc triển "
        "khai."
    )
    read = frame_value(clause, f)
    assert read is not None and read[0] == "Tổng Thư ký Quốc hội"  # "ký" inside the post ends nothing


def test_a_syllable_that_folds_like_a_wh_word_inside_a_phrase_is_none() -> None:
    # "đầu mối" folds like "đâu" (where): a ward plan's "ai làm đầu mối …" still asks one thing.
    f = frame("ai lam dau moi tham muu ubnd xa trien khai ke hoach")
    read = frame_value("Công chức Tư pháp - Hộ tịch là đầu mối tham mưu UBND xã triển khai Kế hoạch này.", f)
    assert read is not None and read[0] == "Công chức Tư pháp - Hộ tịch"
    assert question_frame(fold("hop o dau va khi nao")) is None  # two wh-words still read as two


def test_a_post_among_the_items_a_line_runs_together() -> None:
    # A commune Front plan lists its team on one line: "Thành phần Đoàn: Bà B, …, Trưởng đoàn; đại diện …".
    f = frame("ai la truong doan kiem tra cong tac bau cu")
    clause = (
        "3. Thành phần Đoàn kiểm tra: Bà Ka Thị Mai, Phó Chủ tịch Ủy ban MTTQ Việt Nam xã, Trưởng đoàn; đại "
        "diện Hội Nông dân xã, thành viên."
    )
    read = frame_value(clause, f)
    assert read is not None and read[0] == "Bà Ka Thị Mai"


def test_a_labelled_value_under_a_heading_naming_the_rest_states_all_of_it() -> None:
    # A Youth Union plan: "2. Thời gian: …" under "III. Hình thức, thời gian kiểm tra".
    f = frame("Thời gian kiểm tra của kế hoạch là khi nào?")
    read = frame_value("2. Thời gian: Từ ngày 05/01/2026 đến ngày 20/01/2026.", f)
    assert read is not None and read[1] < 1.0
    assert with_heading(f, read, "III. Hình thức, thời gian kiểm tra") == (read[0], 1.0)
    assert with_heading(f, read, "III. Hình thức giám sát") == read  # the rest named nowhere around it


def test_the_document_a_body_wrote_in_is_not_its_name() -> None:
    # A district decision's basis: "Theo đề nghị của Trưởng phòng … tại Tờ trình số …".
    f = frame("Ai đề nghị ban hành Quyết định kiện toàn Hội đồng thi đua?")
    clause = "Theo đề nghị của Trưởng phòng Nội vụ huyện tại Tờ trình số 88/TTr-PNV ngày 02 tháng 3 năm 2025."
    read = frame_value(clause, f)
    assert read is not None and read[0] == "Trưởng phòng Nội vụ huyện"


def test_the_agent_of_a_passive_is_the_subject_and_its_object_counts() -> None:
    # A ministry's circular puts the object first and the agent after "do"; a decree uses "bởi".
    f = frame("Ai quyết định mức hỗ trợ cụ thể cho từng xã?")
    clause = "b) Mức hỗ trợ cụ thể cho từng xã do Chủ tịch Ủy ban nhân dân cấp huyện quyết định."
    read = frame_value(clause, f)
    assert read is not None and read[0] == "Chủ tịch Ủy ban nhân dân cấp huyện" and read[1] == 1.0
    f = frame("cơ quan nào cấp giấy chứng nhận đủ điều kiện")
    read = frame_value("Giấy chứng nhận đủ điều kiện được cấp bởi Sở Y tế cấp giấy chứng nhận …", f)
    assert read is None or read[0] != "Giấy chứng nhận đủ điều kiện"
    # "do đó" (hence) before an active subject: the subject, not what follows "do".
    f = frame("Cơ quan nào thẩm định hồ sơ?")
    read = frame_value("Do đó Sở Xây dựng thẩm định hồ sơ trong 05 ngày.", f)
    assert read is not None and read[0] == "Sở Xây dựng"


def test_a_label_naming_the_role_holds_its_value() -> None:
    # A fee resolution of one province and a procedure of a commune: "<role> <predicate>: value".
    f = frame("Cơ quan nào thu phí thẩm định hồ sơ?")
    read = frame_value("5. Cơ quan thu phí: Văn phòng Đăng ký đất đai tỉnh.", f)
    assert read is not None and read[0] == "Văn phòng Đăng ký đất đai tỉnh"
    f = frame("Bộ phận nào tiếp nhận hồ sơ của người dân?")
    read = frame_value("- Bộ phận tiếp nhận hồ sơ: Bộ phận Một cửa UBND xã.", f)
    assert read is not None and read[0] == "Bộ phận Một cửa UBND xã"
    # A body before the predicate is its subject, not a label.
    f = frame("Cơ quan nào thu phí?")
    read = frame_value("Sở Tài chính thu phí theo quy định: nộp vào ngân sách.", f)
    assert read is not None and read[0] == "Sở Tài chính"


def test_a_scene_set_before_a_comma_leaves_the_subject_question() -> None:
    f = frame("Ở giai đoạn 3 của kế hoạch tuyên truyền, ai tổ chức hội nghị sơ kết?")
    assert f.side == "subject" and f.words[:2] == ("to", "chuc")
    read = frame_value("Giai đoạn 3: Ban Tuyên giáo Huyện ủy tổ chức hội nghị sơ kết.", f)
    assert read is not None and read[0] == "Ban Tuyên giáo Huyện ủy"


def test_a_value_in_brackets_ends_with_them() -> None:
    f = frame("các đơn vị gửi hồ sơ đăng ký thông qua cơ quan nào")
    read = frame_value("Các đơn vị gửi hồ sơ đăng ký (thông qua Phòng Nội vụ huyện) trước ngày 10/5.", f)
    assert read is not None and read[0] == "Phòng Nội vụ huyện"


def test_a_document_asked_by_kind_opens_the_value() -> None:
    # A decree's closing provision: what it replaces opens with the kind asked; a phrase mentioning "Nghị
    # định này" later is no answer.
    f = frame("thay thế nghị định nào")
    assert frame_value("Bên nhận thay thế bằng tài sản khác quy định tại Điều 21 Nghị định này.", f) is None
    read = frame_value("Nghị định này thay thế Nghị định số 11/2012/NĐ-CP ngày 22 tháng 02 năm 2012.", f)
    assert read is not None and read[0].startswith("Nghị định số 11/2012/NĐ-CP")


def test_a_duty_auxiliary_ends_the_subject_before_coordinated_verbs() -> None:
    # A provincial council's supervision programme: the body with the duty does every verb after it.
    f = frame("Ai có trách nhiệm cung cấp đầy đủ thông tin cho Đoàn giám sát?")
    clause = "3. Sở Tài chính có trách nhiệm báo cáo và cung cấp đầy đủ thông tin cho Đoàn giám sát."
    read = frame_value(clause, f)
    assert read is not None and read[0] == "Sở Tài chính"


def test_an_authority_auxiliary_is_not_part_of_the_subject() -> None:
    # A law's competence clause: "X có thẩm quyền cấp …" answers "ai có thẩm quyền cấp …" with X.
    f = frame("Ai có thẩm quyền cấp giấy phép lái xe?")
    read = frame_value("Giám đốc Sở Giao thông vận tải có thẩm quyền cấp giấy phép lái xe.", f)
    assert read is not None and read[0] == "Giám đốc Sở Giao thông vận tải"


def test_a_verb_that_is_also_a_noun_after_a_copula_or_determiner_is_no_predicate() -> None:
    # "tổ chức" is a verb and a noun: in a decree on secured transactions it names lenders.
    f = frame("Ai tổ chức thi hành Nghị định này?")
    clause = "Việc nhận thế chấp của cá nhân, tổ chức kinh tế không phải là tổ chức tín dụng được thực hiện."
    assert frame_value(clause, f) is None
    read = frame_value("1. Bộ trưởng Bộ Tư pháp tổ chức thi hành Nghị định này.", f)
    assert read is not None and read[0] == "Bộ trưởng Bộ Tư pháp"


def test_a_passive_question_reads_the_agent_of_a_passive_or_an_active_clause() -> None:
    # "X do ai/cơ quan nào V": asked with the passive's agent marker (an election law, a labour decree).
    f = question_frame("danh sach cu tri do co quan nao lap")
    assert f is not None and f.side == "subject" and f.verb_len == 1
    passive = "1. Danh sách cử tri do Ủy ban nhân dân cấp xã lập theo từng khu vực bỏ phiếu."
    assert frame_value(passive, f) == ("Ủy ban nhân dân cấp xã", 1.0)
    assert frame_value("Ủy ban nhân dân cấp xã lập danh sách cử tri.", f) == ("Ủy ban nhân dân cấp xã", 1.0)
    # The thing done must be named before the agent; another list made by another body states less of it.
    other = frame_value("Danh sách người ứng cử do Ban bầu cử lập.", f)
    assert other is not None and other[1] < 1.0
    assert frame_value("Kế hoạch do Ban bầu cử lập.", f) is None
    # "do đâu": what pays or provides, not a body.
    g = question_frame("kinh phi to chuc hoi nghi do dau bao dam")
    assert g is not None and not g.wants_body
    assert frame_value("Kinh phí tổ chức hội nghị do ngân sách tỉnh bảo đảm.", g) == ("ngân sách tỉnh", 1.0)


def test_the_body_made_to_act_is_asked_as_the_subject_of_what_follows() -> None:
    """ "X giao/đề nghị cơ quan nào V …" asks who is made to do V; "những ai V" asks who does V (seen first
    in a provincial council's resolution). A district plan and a commune Party committee's plan state it as
    "giao Y V" or "Y V"."""
    f = frame("UBND huyện giao đơn vị nào tổ chức thực hiện Kế hoạch?")
    assert f.side == "subject" and f.words[:4] == ("to", "chuc", "thuc", "hien")
    clause = "4. Ủy ban nhân dân huyện giao Phòng Nội vụ tổ chức thực hiện Kế hoạch này."
    read = frame_value(clause, f)
    assert read is not None and read[0] == "Phòng Nội vụ"
    g = frame("Đảng ủy xã chỉ đạo phòng nào bố trí kinh phí thực hiện kế hoạch?")
    assert g.words[:4] == ("bo", "tri", "kinh", "phi")
    assert frame_value("Giao Phòng Kinh tế bố trí kinh phí thực hiện kế hoạch.", g) == ("Phòng Kinh tế", 1.0)
    h = frame("Theo nghị quyết, những ai phải chủ động giải quyết thủ tục đầu tư?")
    assert h.side == "subject" and h.words[:2] == ("chu", "dong")


def test_predicates_run_on_after_a_copula_share_the_sentence_subject() -> None:
    """A provincial decision: "Văn phòng UBND tỉnh là cơ quan đầu mối …; là cơ quan thường trực …" names the
    standing body once, at the sentence's start (seen first in a university regulation); a commune plan's
    "Trung tâm Y là đơn vị …, chủ trì …" likewise answers who leads, without the copula's predicate."""
    f = frame("Đơn vị nào là cơ quan thường trực của Ban Chỉ đạo?")
    clause = (
        "2. Văn phòng UBND tỉnh là cơ quan đầu mối tổng hợp, theo dõi việc thực hiện cải cách hành chính của "
        "các sở, ngành; là cơ quan thường trực của Ban Chỉ đạo cải cách hành chính tỉnh."
    )
    assert frame_value(clause, f) == ("Văn phòng UBND tỉnh", 1.0)
    g = frame("Ai chủ trì tổ chức kỳ thi?")
    read = frame_value("Trung tâm Khảo thí là đơn vị chuyên trách, chủ trì tổ chức kỳ thi.", g)
    assert read == ("Trung tâm Khảo thí", 1.0)
    # A sentence opening with no body ("Trường hợp …") gives none.
    assert frame_value("Trường hợp cần thiết là do Giám đốc quyết định; chủ trì tổ chức kỳ thi.", g) is None


def test_an_item_opening_with_a_verb_names_no_subject() -> None:
    """A district price-management report's item "3. Tổ chức tiếp nhận, kiểm soát hồ sơ …": "Tổ chức" is the
    verb (organise), not a body; a named organisation ("Tổ chức Đoàn") still is one."""
    q = frame("Đơn vị nào tiếp nhận, kiểm soát hồ sơ đăng ký giá?")
    assert frame_value("3. Tổ chức tiếp nhận, kiểm soát hồ sơ đăng ký giá của doanh nghiệp.", q) is None
    read = frame_value("3. Tổ chức Đoàn cơ sở tiếp nhận, kiểm soát hồ sơ đăng ký giá.", q)
    assert read is not None and read[0] == "Tổ chức Đoàn cơ sở"


def test_the_offices_a_decisions_last_article_lists_are_read_whole():
    """A ministry's decision: "Điều 4. Chánh Văn phòng Bộ, Vụ trưởng …, Thủ trưởng … chịu trách nhiệm thi
    hành": the subject is the whole list, longer than one name may be, not its last items."""
    from hoidap.corpus.normalize import fold
    from hoidap.service.frames import frame_value, question_frame

    frame = question_frame(fold("Ai chịu trách nhiệm thi hành quyết định này?").lower())
    clause = (
        "Điều 4. Chánh Văn phòng Bộ, Vụ trưởng Vụ Tổ chức cán bộ, Thủ trưởng các đơn vị thuộc Bộ và các cá "
        "nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này."
    )
    read = frame_value(clause, frame)
    assert read is not None and read[0].startswith("Chánh Văn phòng Bộ, Vụ trưởng Vụ Tổ chức cán bộ")
    salutation = (
        "Điều 3. Các Ông (Bà) Chánh Văn phòng Sở, Trưởng phòng Kế hoạch, Giám đốc các đơn vị trực thuộc và"
    )
    read = frame_value(f"{salutation} cá nhân liên quan chịu trách nhiệm thi hành Quyết định này.", frame)
    assert read is not None and "Chánh Văn phòng Sở" in read[0]
    # A sentence of many commas that is no list of bodies is still no subject.
    prose = (
        "Trong quá trình triển khai, nếu có khó khăn, vướng mắc, phát sinh, kịp thời phản ánh, đề xuất, kiến "
        "nghị, tổng hợp chịu trách nhiệm thi hành Quyết định này."
    )
    assert frame_value(prose, frame) is None


def test_a_closing_noun_asked_is_read_from_the_heading_the_clause_stands_under():
    # A council's budget resolution on school spending (not the environment one it was seen in).
    f = question_frame("chi sua chua truong hoc thuoc nhiem vu chi cua ngan sach cap nao")
    assert f is not None and f.kind == ("cap",)
    path = "Điều 3. Nhiệm vụ chi của ngân sách cấp huyện > 4. Sửa chữa trường học…"
    assert heading_value(f, path) == ("ngân sách cấp huyện", HEADING_SHARE)
    # A list of land files by group: the group's label heads its items; the item's own line is no heading.
    f = question_frame("ho so chua co giay to ve quyen su dung dat thuoc nhom nao")
    assert heading_value(
        f, "III. Phân loại > b) Nhóm B: hồ sơ chưa đủ điều kiện > - Hồ sơ chưa có giấy tờ"
    ) == (
        "Nhóm B",
        HEADING_NOUN_SHARE,
    )
    assert heading_value(f, "- Hồ sơ thuộc nhóm C") is None
    # A time asked is the deadline readers' ("năm nào"), not a heading's value.
    assert question_frame("ke hoach giai doan nay ket thuc nam nao").kind == ()


def test_a_group_asked_is_answered_only_by_a_value_naming_that_group():
    # A province's agricultural plan: "thuộc nhóm nào" is answered by "nhóm cây trồng chủ lực", not by the
    # words that merely follow the same verb in another clause.
    f = question_frame("cay ca phe duoc xep vao nhom nao")
    assert f is not None and f.kind == ("nhom",)
    got = frame_value("Cây cà phê được xếp vào nhóm cây trồng chủ lực của tỉnh.", f)
    assert got[0].startswith("nhóm cây")
    assert frame_value("Cây cà phê được xếp vào danh mục ưu tiên hỗ trợ.", f) is None
