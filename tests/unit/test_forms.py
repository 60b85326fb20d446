from __future__ import annotations

from tests.conftest import FORMS


def test_required_choice_is_reported_in_vietnamese():
    clean, errors = FORMS.get("approve").validate({})
    assert clean == {}
    assert errors == {"decision": "Vui lòng nhập “Quyết định”."}


def test_value_outside_the_choices_is_refused():
    _, errors = FORMS.get("approve").validate({"decision": "maybe"})
    assert "không hợp lệ" in errors["decision"]


def test_unknown_fields_are_refused_rather_than_stored():
    _, errors = FORMS.get("approve").validate({"decision": "approve", "is_admin": True})
    assert "is_admin" in errors


def test_wrongly_typed_value_is_refused():
    _, errors = FORMS.get("examine").validate({"proposal": "approve", "examination": ["a", "list"]})
    assert "examination" in errors


def test_user_field_accepts_only_the_offered_people():
    form = FORMS.get("assign")
    offered = {"specialist": [("7", "Hoàng Thị Lan")]}
    assert form.validate({"specialist": "7"}, offered) == (
        {
            "specialist": "7",
        },
        {},
    )
    _, errors = form.validate({"specialist": "1"}, offered)
    assert errors["specialist"] == "Giá trị chọn cho “Chuyên viên thụ lý” không hợp lệ."


def test_too_long_text_is_refused():
    _, errors = FORMS.get("approve").validate({"decision": "approve", "note": "x" * 2001})
    assert errors["note"] == "“Ý kiến” dài quá 2000 ký tự."


def test_form_definition_is_sent_with_its_fields_for_generic_clients():
    definition = FORMS.get("approve").to_dict()
    assert definition["title"] == "Phê duyệt kết quả"
    assert definition["fields"][0]["choices"][0] == {"value": "approve", "label": "Đồng ý, ký duyệt"}
