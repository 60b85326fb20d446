"""The form editor's services against a real database: versions, the registry, refusals, restore."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.db import make_engine, session_scope
from engine.forms import FormRegistry
from engine.models import User
from engine.services import form_editor
from engine.services.errors import Forbidden, InvalidInput, NotFound
from tests.conftest import ROOT

APPROVE = {
    "title": "Phê duyệt kết quả",
    "fields": [
        {
            "name": "decision",
            "label": "Quyết định",
            "type": "choice",
            "required": True,
            "choices": [
                {"value": "approve", "label": "Đồng ý, ký duyệt"},
                {"value": "reject", "label": "Không đồng ý, trả lại chuyên viên"},
            ],
        },
        {"name": "note", "label": "Ý kiến", "type": "textarea", "max_length": 2000},
    ],
}


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def registry(engine) -> FormRegistry:
    parsed: dict = {}

    def read():
        with engine.connect() as connection:
            return form_editor.stored_forms(connection, parsed)

    return FormRegistry(ROOT / "forms", read, ttl=30)


def _with(**changes) -> dict:
    fields = [dict(f) for f in APPROVE["fields"]]
    return {"title": APPROVE["title"], "fields": fields, **changes}


def test_a_saved_form_is_served_by_the_registry_and_by_another_worker_after_its_ttl(engine, registry):
    other = FormRegistry(ROOT / "forms", registry._stored_reader, ttl=0)  # a second worker, no cache
    stale = FormRegistry(ROOT / "forms", registry._stored_reader, ttl=3600)
    assert [f.name for f in stale.get("approve").fields] == ["decision", "note"]
    definition = _with()
    definition["fields"].append({"name": "so_ban", "label": "Số bản", "type": "integer", "min": "1", "max": "10"})
    with session_scope(engine) as session:
        version = form_editor.save_form(session, _user(session, "thietke"), "approve", definition, registry)
        assert version.number == 1
        # This process serves it at once, before the commit.
        assert [f.name for f in registry.get("approve").fields] == ["decision", "note", "so_ban"]
    assert registry.get("approve").fields[2].min == 1
    assert [f.name for f in other.get("approve").fields][-1] == "so_ban"
    assert [f.name for f in stale.get("approve").fields] == ["decision", "note"]  # within its TTL
    stale.invalidate()
    assert [f.name for f in stale.get("approve").fields][-1] == "so_ban"
    clean, errors = registry.get("approve").validate({"decision": "approve", "so_ban": "3"})
    assert errors == {} and clean["so_ban"] == 3
    with session_scope(engine) as session:
        designer = _user(session, "thietke")
        second = form_editor.save_form(session, designer, "approve", _with(title="Phê duyệt"), registry)
        assert second.number == 2
        assert [v.number for v in form_editor.form_history(session, designer, "approve")] == [2, 1]
        summary = {s.name: s for s in form_editor.list_forms(session, designer, registry)}
        assert summary["approve"].newest.number == 2 and summary["approve"].title == "Phê duyệt"
        assert any(u.process_key == "cap_phep_xay_dung" for u in summary["approve"].used_by)
        assert summary["receive"].newest is None


def test_a_new_form_only_in_the_database_is_listed(engine, registry):
    with session_scope(engine) as session:
        form_editor.save_form(
            session,
            _user(session, "thietke"),
            "kiem_tra_thuc_dia",
            {"title": "Kiểm tra thực địa", "fields": []},
            registry,
        )
    fresh = FormRegistry(ROOT / "forms", registry._stored_reader)
    assert "kiem_tra_thuc_dia" in fresh.names() and fresh.get("kiem_tra_thuc_dia").title == "Kiểm tra thực địa"


def test_removing_a_field_a_gateway_reads_is_refused_naming_the_process(engine, registry):
    without_decision = _with()
    without_decision["fields"] = without_decision["fields"][1:]
    with session_scope(engine) as session, pytest.raises(InvalidInput) as refused:
        form_editor.save_form(session, _user(session, "thietke"), "approve", without_decision, registry)
    message = refused.value.errors["_form"]
    assert "“decision”" in message and "cap_phep_xay_dung" in message and "điều kiện rẽ nhánh" in message
    # A renamed field is a removed one too; and a choice value a condition compares with may not go.
    renamed = _with()
    renamed["fields"][0] = {**renamed["fields"][0], "name": "quyet_dinh"}
    dropped = _with()
    dropped["fields"][0] = {**dropped["fields"][0], "choices": [{"value": "reject", "label": "Không"}]}
    with session_scope(engine) as session:
        for bad in (renamed, dropped):
            with pytest.raises(InvalidInput) as refused:
                form_editor.save_form(session, _user(session, "thietke"), "approve", bad, registry)
            assert "cap_phep_xay_dung" in refused.value.errors["_form"]
        assert "“approve”" in refused.value.errors["_form"]
    assert [f.name for f in registry.get("approve").fields] == ["decision", "note"]


def test_removing_the_assignee_field_is_refused(engine, registry):
    assign = {"title": "Phân công thụ lý", "fields": [{"name": "note", "label": "Ý kiến", "type": "textarea"}]}
    with session_scope(engine) as session, pytest.raises(InvalidInput) as refused:
        form_editor.save_form(session, _user(session, "thietke"), "assign", assign, registry)
    assert "“specialist”" in refused.value.errors["_form"] and "chọn người thực hiện" in refused.value.errors["_form"]


@pytest.mark.parametrize(
    ("field", "key", "fragment"),
    [
        ({"name": "note", "label": "Khác", "type": "text"}, "fields.2.name", "trùng"),
        ({"name": "so ban", "label": "Số bản", "type": "text"}, "fields.2.name", "không dấu"),
        ({"name": "class", "label": "Lớp", "type": "text"}, "fields.2.name", "không dấu"),
        ({"name": "loai", "label": "Loại", "type": "choice", "choices": []}, "fields.2.choices", "ít nhất một"),
        ({"name": "loai", "label": "Loại", "type": "choice", "choices": "a|A\na|B"}, "fields.2.choices", "bị trùng"),
        ({"name": "ghi_chu", "label": "Ghi chú", "type": "text", "max_length": 0}, "fields.2.max_length", "từ 1 đến"),
        ({"name": "ghi_chu", "label": "Ghi chú", "type": "text", "max_length": 10001}, "fields.2.max_length", "10000"),
        ({"name": "so", "label": "Số", "type": "integer", "min": 5, "max": 1}, "fields.2.max", "lớn hơn"),
        ({"name": "so", "label": "Số", "type": "integer", "min": "abc"}, "fields.2.min", "phải là một số"),
        ({"name": "so", "label": "Số", "type": "color"}, "fields.2.type", "không được hỗ trợ"),
        ({"name": "so", "label": " ", "type": "text"}, "fields.2.label", "nhãn"),
        ({"name": "so", "label": "x" * 256, "type": "text"}, "fields.2.label", "255"),
        ({"name": "nguoi", "label": "Người", "type": "user"}, "fields.2.role", "vai trò"),
    ],
)
def test_each_bad_input_is_refused_beside_its_field(engine, registry, field, key, fragment):
    definition = _with()
    definition["fields"].append(field)
    with session_scope(engine) as session, pytest.raises(InvalidInput) as refused:
        form_editor.save_form(session, _user(session, "thietke"), "approve", definition, registry)
    assert fragment in refused.value.errors[key]
    with pytest.raises(InvalidInput):  # the preview checks the same way, without a database
        form_editor.preview(definition)


def test_too_many_fields_an_empty_title_and_a_bad_name_are_refused(engine, registry):
    many = {"title": "", "fields": [{"name": f"f{i}", "label": f"Trường {i}"} for i in range(51)]}
    with session_scope(engine) as session, pytest.raises(InvalidInput) as refused:
        form_editor.save_form(session, _user(session, "thietke"), "Biểu mẫu", many, registry)
    assert set(refused.value.errors) == {"name", "title", "fields"}
    assert "50" in refused.value.errors["fields"]


def test_restore_saves_an_old_version_again(engine, registry):
    with session_scope(engine) as session:
        designer = _user(session, "thietke")
        form_editor.save_form(session, designer, "approve", _with(title="Bản một"), registry)
        form_editor.save_form(session, designer, "approve", _with(title="Bản hai"), registry)
        again = form_editor.restore(session, designer, "approve", 1, registry)
        assert again.number == 3 and registry.get("approve").title == "Bản một"
        original = form_editor.restore(session, designer, "approve", 0, registry)
        assert original.number == 4 and registry.get("approve").title == "Phê duyệt kết quả"
        with pytest.raises(NotFound):
            form_editor.restore(session, designer, "approve", 99, registry)


def test_non_designers_are_refused(engine, registry):
    with session_scope(engine) as session:
        clerk = _user(session, "motcua")
        for call in (
            lambda: form_editor.list_forms(session, clerk, registry),
            lambda: form_editor.form_history(session, clerk, "approve"),
            lambda: form_editor.save_form(session, clerk, "approve", _with(), registry),
            lambda: form_editor.restore(session, clerk, "approve", 0, registry),
        ):
            with pytest.raises(Forbidden):
                call()
    assert registry.file_form("approve") == registry.get("approve")
