"""Mẫu 04, 05, 06 and the result documents, rendered without a database and read back with python-docx."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import date, datetime

import docx
import pytest

from engine.documents.notices import (
    BEFORE,
    LATE,
    ON_TIME,
    RESULT_TEMPLATES,
    ApologyData,
    ControlRow,
    ControlSlipData,
    ResultData,
    StopData,
    date_in_words,
    mask_name,
    number_words,
    render_document,
    result_template,
    template_path,
    timeliness,
)
from engine.models import HistoryEvent
from engine.services.notices import APPLICANT_UNIT, control_rows
from engine.services.result_documents import (
    CODE_ALPHABET,
    CODE_LENGTH,
    agency_short,
    new_verification_code,
    normalise_code,
    template_fields,
    verify_url,
)

CODE = "000.00.01.H10-260302-0007"
APPLICANT = "Nguyễn Thị Ngọc Ánh"
AGENCY = "Ủy ban nhân dân tỉnh Bình Phước"
VERIFICATION = "7K3MX9Q2TB"
URL = f"https://motcua.binhphuoc.gov.vn/xac-minh/{VERIFICATION}"


def docx_text(content: bytes) -> str:
    """Every paragraph of the body, the table cells and the page headers, one per line."""
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    for section in document.sections:
        lines.extend(p.text for p in section.header.paragraphs)
    return "\n".join(lines)


def assert_filled(text: str) -> None:
    assert "{{" not in text and "{%" not in text and "}}" not in text


# --- trước hạn / đúng hạn / quá hạn -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "due", "expected"),
    [
        (datetime(2026, 3, 2, 16, 0), datetime(2026, 3, 3, 8, 0), BEFORE),
        (datetime(2026, 3, 3, 16, 59), datetime(2026, 3, 3, 8, 0), ON_TIME),  # later on the due date: by date
        (datetime(2026, 3, 3, 7, 0), datetime(2026, 3, 3, 17, 0), ON_TIME),  # finished on the due date
        (datetime(2026, 3, 4, 7, 30), datetime(2026, 3, 3, 17, 0), LATE),
        (datetime(2026, 3, 4, 7, 30), None, ON_TIME),  # no due date counts as on time
    ],
)
def test_timeliness_is_by_date(at, due, expected):
    assert timeliness(at, due) == expected
    assert ControlRow("A", "a", "B", "b", at, due).outcome == expected


def test_labels_keep_their_diacritics():
    assert (BEFORE, ON_TIME, LATE) == ("Trước hạn", "Đúng hạn", "Quá hạn")


# --- Mẫu 06 rows from the history ----------------------------------------------------------------------


def event(action: str, at: datetime, **values: object) -> HistoryEvent:
    defaults = {"actor_id": 1, "actor_name": "Nguyễn Thị Mai", "from_step": "", "to_step": "", "to_unit": "",
                "to_person": "", "note": "", "step_due_at": None, "status_after": 4}  # fmt: skip
    return HistoryEvent(dossier_id=1, action=action, at=at, **{**defaults, **values})


def test_control_rows_follow_each_handover():
    history = [
        event("receive", datetime(2026, 3, 2, 8, 0), to_step="Phân công thụ lý", to_unit="Sở Xây dựng"),
        event("comment", datetime(2026, 3, 2, 9, 0), note="Chỉ là bình luận"),
        event("assign", datetime(2026, 3, 2, 10, 0), actor_id=3, actor_name="Lê Hoàng Cường",
              to_step="Thẩm định hồ sơ", to_unit="Sở Xây dựng", to_person="Trần Văn Bình",
              step_due_at=datetime(2026, 3, 3, 10, 0)),
        event("claim", datetime(2026, 3, 2, 11, 0), actor_id=2, actor_name="Trần Văn Bình"),
        event("complete", datetime(2026, 3, 5, 9, 0), actor_id=2, actor_name="Trần Văn Bình",
              to_step="Phê duyệt, ký kết quả", to_unit="Ủy ban nhân dân tỉnh Bình Phước",
              step_due_at=datetime(2026, 3, 4, 17, 0), note="Đủ điều kiện"),
        event("recall", datetime(2026, 3, 5, 10, 0), actor_id=2, actor_name="Trần Văn Bình",
              to_step="Thẩm định hồ sơ", to_unit="Sở Xây dựng", to_person="Trần Văn Bình", note="Thu hồi hồ sơ"),
        event("extend", datetime(2026, 3, 5, 11, 0), note="Gia hạn"),
        event("complete", datetime(2026, 3, 6, 15, 0), to_step="", status_after=10,
              step_due_at=datetime(2026, 3, 6, 17, 0)),
    ]  # fmt: skip
    units = {1: "Trung tâm Phục vụ hành chính công tỉnh", 2: "Sở Xây dựng", 3: "Sở Xây dựng"}
    rows = control_rows(history, units, APPLICANT)
    assert len(rows) == 5  # comment, claim and extend hand nothing over
    receive, assign, complete, recall, returned = rows
    assert (receive.giver_unit, receive.giver_name) == ("Trung tâm Phục vụ hành chính công tỉnh", "Nguyễn Thị Mai")
    assert (receive.receiver_unit, receive.outcome) == ("Sở Xây dựng", ON_TIME)
    assert (assign.receiver_name, assign.outcome) == ("Trần Văn Bình", BEFORE)
    assert (complete.outcome, complete.note) == (LATE, "Đủ điều kiện")
    # A recall takes the dossier back from whoever held it.
    assert (recall.giver_unit, recall.receiver_name) == ("Ủy ban nhân dân tỉnh Bình Phước", "Trần Văn Bình")
    assert recall.note == "Thu hồi hồ sơ"  # the label is not repeated when the note already says it
    assert (returned.receiver_unit, returned.receiver_name, returned.note) == (APPLICANT_UNIT, APPLICANT, "Trả kết quả")
    assert returned.outcome == ON_TIME


# --- Mẫu 04, 05, 06 ------------------------------------------------------------------------------------


def apology(**changes: object) -> ApologyData:
    data = ApologyData(
        agency_name=AGENCY,
        unit_name="Sở Xây dựng",
        receiving_unit="Trung tâm Phục vụ hành chính công tỉnh",
        place="Bình Phước",
        issued_at=datetime(2026, 3, 16, 9, 0),
        dossier_code=CODE,
        applicant_name=APPLICANT,
        address="Số 12, đường Trần Hưng Đạo, phường Đồng Xoài",
        procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        received_at=datetime(2026, 3, 2, 8, 5),
        previous_due_at=datetime(2026, 3, 20, 16, 30),
        new_due_at=datetime(2026, 3, 27, 16, 30),
        reason="Cần xác minh hiện trạng & ranh giới thửa đất",
        unit_at_fault="Phòng Quản lý xây dựng, Sở Xây dựng",
    )
    return dataclasses.replace(data, **changes)


def test_mau_04_apologises_with_the_new_date():
    text = docx_text(render_document(apology()))
    assert "VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "ỦY BAN NHÂN DÂN TỈNH BÌNH PHƯỚC" in text and "SỞ XÂY DỰNG" in text
    assert "Bình Phước, ngày 16 tháng 3 năm 2026" in text
    assert f"Kính gửi: Ông (Bà) {APPLICANT}" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 16 giờ 30 phút, ngày 20/03/2026" in text
    assert "Phòng Quản lý xây dựng, Sở Xây dựng" in text
    assert "Cần xác minh hiện trạng & ranh giới thửa đất" in text  # "&" survives autoescaping
    assert "xin lỗi Ông (Bà)" in text and "16 giờ 30 phút, ngày 27/03/2026" in text
    assert "gia hạn lần thứ" not in text
    assert "gia hạn lần thứ 2" in docx_text(render_document(apology(sequence=2)))
    assert_filled(text)


def test_mau_05_gives_the_reason_for_stopping():
    data = StopData(
        agency_name=AGENCY,
        unit_name="Sở Tư pháp",
        receiving_unit="Trung tâm Phục vụ hành chính công tỉnh",
        place="Bình Phước",
        issued_at=datetime(2026, 3, 9, 14, 0),
        dossier_code=CODE,
        applicant_name=APPLICANT,
        id_number="070186001234",
        address="",
        procedure_name="Đăng ký kết hôn",
        received_at=datetime(2026, 3, 2, 8, 5),
        stopped_at=datetime(2026, 3, 9, 14, 0),
        reason="Người nộp hồ sơ đề nghị rút hồ sơ",
    )
    text = docx_text(render_document(data))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert APPLICANT in text and CODE in text and "070186001234" in text
    assert "dừng giải quyết hồ sơ nêu trên kể từ 14 giờ 00 phút, ngày 09/03/2026" in text
    assert "với lý do: Người nộp hồ sơ đề nghị rút hồ sơ" in text
    assert "địa chỉ:" not in text  # an empty address leaves no dangling label
    assert_filled(text)


def test_mau_06_lists_every_row_with_its_classification():
    rows = (
        ControlRow("Trung tâm Phục vụ hành chính công tỉnh", "Nguyễn Thị Mai", "Sở Xây dựng", "",
                   datetime(2026, 3, 2, 8, 5)),
        ControlRow("Sở Xây dựng", "Lê Hoàng Cường", "Sở Xây dựng", "Trần Văn Bình", datetime(2026, 3, 2, 10, 0),
                   datetime(2026, 3, 3, 10, 0)),
        ControlRow("Sở Xây dựng", "Trần Văn Bình", "Ủy ban nhân dân tỉnh Bình Phước", "Phạm Minh Đức",
                   datetime(2026, 3, 12, 9, 0), datetime(2026, 3, 11, 17, 0), "Đủ điều kiện"),
    )  # fmt: skip
    data = ControlSlipData(
        agency_name=AGENCY,
        unit_name="Trung tâm Phục vụ hành chính công tỉnh",
        place="Bình Phước",
        issued_at=datetime(2026, 3, 12, 10, 0),
        dossier_code=CODE,
        applicant_name=APPLICANT,
        procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        handling_unit="Sở Xây dựng",
        received_at=datetime(2026, 3, 2, 8, 5),
        due_at=datetime(2026, 3, 23, 16, 30),
        rows=rows,
    )
    content = render_document(data)
    text = docx_text(content)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert f"Mã hồ sơ: {CODE}" in text and APPLICANT in text
    table = docx.Document(io.BytesIO(content)).tables[-1]
    body = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert len(body) == 3
    assert body[0][0] == "1. Giao: Trung tâm Phục vụ hành chính công tỉnh\nNhận: Sở Xây dựng"
    assert "08 giờ 05 phút, ngày 02/03/2026" in body[0][1] and "Người nhận: ……" in body[0][1]
    assert [row[2] for row in body] == [ON_TIME, BEFORE, LATE]
    assert "Người giao: Trần Văn Bình" in body[2][1] and "Người nhận: Phạm Minh Đức" in body[2][1]
    assert body[2][3] == "Đủ điều kiện"
    assert_filled(text)


# --- the results ---------------------------------------------------------------------------------------


def result(template: str = "ket_qua_chung", **changes: object) -> ResultData:
    data = ResultData(
        template=template,
        title=RESULT_TEMPLATES[template].title,
        agency_name=AGENCY,
        unit_name="Sở Xây dựng",
        place="Bình Phước",
        issued_at=datetime(2026, 3, 12, 9, 30),
        number="15/QĐ-UBND",
        dossier_code=CODE,
        applicant_kind="person",
        applicant_name=APPLICANT,
        organisation_name="",
        id_number="070186001234",
        address="Số 12, đường Trần Hưng Đạo, phường Đồng Xoài",
        procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        procedure_code="1.009994",
        result_name="Giấy phép xây dựng",
        received_at=datetime(2026, 3, 2, 8, 5),
        examination="Hồ sơ đầy đủ, thiết kế phù hợp quy hoạch chi tiết 1/500",
        signer_title="TM. ỦY BAN NHÂN DÂN",
        signer_name="Phạm Minh Đức",
        legal_basis=("Luật Xây dựng", "Nghị định 175/2024/NĐ-CP"),
        fields={"construction_site": "Thửa đất số 125, tờ bản đồ số 12, phường Đồng Xoài", "floors": "3"},
        verification_code=VERIFICATION,
        verify_url=URL,
    )
    return dataclasses.replace(data, **changes)


def test_generic_decision_names_the_applicant_procedure_and_examination():
    text = docx_text(render_document(result()))
    assert "QUYẾT ĐỊNH" in text and "QUYẾT ĐỊNH:" in text
    assert "Về việc giải quyết thủ tục hành chính “Cấp giấy phép xây dựng nhà ở riêng lẻ”" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 15/QĐ-UBND" in text and "Bình Phước, ngày 12 tháng 3 năm 2026" in text
    assert "Căn cứ Luật Xây dựng;" in text and "Căn cứ Nghị định 175/2024/NĐ-CP;" in text
    assert f"Điều 1. Giải quyết thủ tục hành chính “Cấp giấy phép xây dựng nhà ở riêng lẻ” (mã thủ tục 1.009994) " \
           f"cho Ông (Bà) {APPLICANT}, số định danh cá nhân 070186001234" in text  # fmt: skip
    assert "Điều 2. Kết quả thẩm định hồ sơ: Hồ sơ đầy đủ, thiết kế phù hợp quy hoạch chi tiết 1/500" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "Phạm Minh Đức" in text
    assert f"Mã xác minh: {VERIFICATION}" in text and URL in text
    assert "DỰ THẢO" not in text
    assert_filled(text)


def test_the_draft_is_marked_and_has_no_code():
    text = docx_text(render_document(result(draft=True, verification_code="", verify_url="", number="")))
    assert "DỰ THẢO" in text and "DỰ THẢO – KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" in text
    assert "Mã xác minh:" not in text and "Mã xác minh và mã QR được cấp khi văn bản được ký ban hành." in text
    assert "Số: ……" in text
    assert_filled(text)


def test_building_permit_prints_its_fields_and_blanks():
    text = docx_text(render_document(result("giay_phep_xay_dung", number="15/GPXD")))
    assert "GIẤY PHÉP XÂY DỰNG" in text and "(Sử dụng cho nhà ở riêng lẻ)" in text
    assert "Số: 15/GPXD" in text
    assert f"1. Cấp cho: Ông (Bà) {APPLICANT}" in text
    assert "+ Vị trí xây dựng: Thửa đất số 125, tờ bản đồ số 12, phường Đồng Xoài" in text
    assert "+ Số tầng: 3" in text and "+ Chiều cao công trình: ……" in text  # unknown fields stay blank to fill
    assert "CHỦ ĐẦU TƯ PHẢI THỰC HIỆN CÁC NỘI DUNG SAU ĐÂY:" in text
    assert f"Mã xác minh: {VERIFICATION}" in text
    assert_filled(text)


def test_birth_extract_from_the_application_form():
    fields = template_fields(
        "trich_luc_khai_sinh",
        {
            "child_full_name": "Trần Minh Khôi",
            "child_birth_date": "2026-03-04",
            "child_sex": "male",
            "birth_place": "Bệnh viện Đa khoa tỉnh Bình Phước",
            "mother_full_name": "Lê Thị Hồng",
            "father_full_name": "Trần Văn Hải",
            "declarant_relationship": "cha",
        },
    )
    data = result("trich_luc_khai_sinh", number="3/TLKS", signer_title="NGƯỜI KÝ TRÍCH LỤC", fields=fields,
                  applicant_name="Trần Văn Hải", procedure_name="Đăng ký khai sinh")  # fmt: skip
    text = docx_text(render_document(data))
    assert "TRÍCH LỤC KHAI SINH" in text
    assert "Họ, chữ đệm, tên: TRẦN MINH KHÔI" in text
    assert "Ngày, tháng, năm sinh: 04/03/2026" in text
    assert "ghi bằng chữ: Ngày mồng bốn, tháng ba, năm hai nghìn không trăm hai mươi sáu" in text
    assert "Giới tính: Nam" in text and "Quốc tịch: Việt Nam" in text and "Dân tộc: ……" in text
    assert "Người đi đăng ký khai sinh: Trần Văn Hải (cha)" in text
    assert "NGƯỜI KÝ TRÍCH LỤC" in text and f"Mã xác minh: {VERIFICATION}" in text
    assert_filled(text)


def test_an_organisation_holds_the_result_in_its_name():
    data = result(organisation_name="Công ty TNHH Xây dựng Đồng Xoài", applicant_kind="organisation")
    assert data.holder_name == "Công ty TNHH Xây dựng Đồng Xoài"
    assert "cho Công ty TNHH Xây dựng Đồng Xoài (người đại diện: Ông (Bà) Nguyễn Thị Ngọc Ánh)" in docx_text(
        render_document(data)
    )


def test_result_json_round_trip_re_renders_the_same_text():
    data = result("giay_phep_xay_dung")
    stored = data.to_json()
    assert APPLICANT in stored  # kept readable, not \\u-escaped
    assert json.loads(stored)["verification_code"] == VERIFICATION
    again = ResultData.from_json(stored)
    assert again == data
    assert docx_text(render_document(again)) == docx_text(render_document(data))


def test_templates_exist_for_every_document():
    for template in RESULT_TEMPLATES:
        assert template_path(result(template)).exists()
    for data in (apology(),):
        assert template_path(data).exists()
    assert result_template("giay_phep_xay_dung.docx").name == "giay_phep_xay_dung"
    assert result_template("").name == "ket_qua_chung"
    with pytest.raises(ValueError):
        result_template("khong_co.docx")


# --- words, masks and codes ---------------------------------------------------------------------------


def test_numbers_and_dates_in_words():
    assert [number_words(n) for n in (0, 5, 10, 11, 15, 21, 24, 25, 30, 105, 2005, 2026, 1000)] == [
        "không", "năm", "mười", "mười một", "mười lăm", "hai mươi mốt", "hai mươi tư", "hai mươi lăm", "ba mươi",
        "một trăm linh năm", "hai nghìn không trăm linh năm", "hai nghìn không trăm hai mươi sáu", "một nghìn",
    ]  # fmt: skip
    assert date_in_words(date(2026, 4, 30)) == "Ngày ba mươi, tháng tư, năm hai nghìn không trăm hai mươi sáu"
    assert date_in_words(date(2025, 12, 1)).startswith("Ngày mồng một, tháng mười hai, năm hai nghìn")


def test_names_are_masked_for_the_public():
    assert mask_name("Nguyễn Văn An") == "Nguyễn V** A**"
    assert mask_name("Đặng Thị Ngọc Ánh") == "Đặng T** N** Á**"
    assert mask_name("An") == "A**"
    assert mask_name("") == ""


def test_verification_codes_are_unambiguous_and_random():
    codes = {new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert normalise_code(" 7k3m-x9q2 tb ") == VERIFICATION
    assert verify_url("https://motcua.binhphuoc.gov.vn/", VERIFICATION) == URL


def test_agency_abbreviations():
    assert agency_short(AGENCY) == "UBND"
    assert agency_short("Sở Xây dựng") == "SXD"
    assert agency_short("Sở Tư pháp tỉnh Bình Phước") == "STP"
