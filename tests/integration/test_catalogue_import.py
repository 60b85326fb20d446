"""The catalogue's export and import, and procedure editing, against SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, select

from engine.db import make_engine, session_scope
from engine.models import Component, Field, Procedure, User
from engine.services import transaction
from engine.services.catalogue_admin import (
    CatalogueRejected,
    export_catalogue,
    import_catalogue,
    read_catalogue,
    update_procedure,
)
from engine.services.errors import Forbidden, InvalidInput
from tests.conftest import FORMS
from tests.factories import PERMIT

BIRTH = "1.001193"


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _export(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        document = export_catalogue(session, _user(session, "quantri"))
    engine.dispose()
    document.pop("exported_at")
    return document


def _import(url: str, document: Any) -> Any:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return import_catalogue(session, _user(session, "quantri"), document, FORMS.names())
    finally:
        engine.dispose()


@pytest.fixture
def other_db_url(db_url: str, _templates: dict[str, Any], tmp_path) -> Iterator[str]:
    """A second fresh database on the same backend: the same units and processes, its own catalogue."""
    if db_url.startswith("sqlite"):
        yield _templates["sqlite"].fresh(tmp_path)
        return
    url = _templates["postgresql"].fresh()
    yield url
    _templates["postgresql"].drop(url)


def _procedure(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(p for p in document["procedures"] if p["code"] == code)


def test_export_then_import_into_a_database_without_catalogue_reproduces_it(db_url, other_db_url):
    original = _export(db_url)
    changed = copy.deepcopy(original)
    changed["fields"].append({"code": "CONG_THUONG", "name": "Công thương"})
    permit = _procedure(changed, PERMIT)
    permit |= {"time_kind": "calendar_days", "time_value": 20, "active": False, "effective_from": "2026-01-01"}
    permit["source"] = "Nghị định 175/2024/NĐ-CP\nQuyết định của UBND tỉnh"
    permit["components"].reverse()
    permit["components"].append(
        {
            "name": "Văn bản ủy quyền (nếu có)",
            "required": False,
            "originals": 0,
            "certified_copies": 1,
            "photocopies": 2,
        }
    )
    changed["procedures"].append(
        _procedure(changed, BIRTH)
        | {"code": "9.999999", "name": "Cấp giấy phép kinh doanh rượu", "field": "CONG_THUONG", "application_form": ""}
    )
    result = _import(db_url, changed)
    assert result.created == ["9.999999"] and PERMIT in result.updated
    exported = _export(db_url)
    assert exported == {
        **changed,
        "fields": sorted(changed["fields"], key=lambda f: f["code"]),
        "procedures": sorted(changed["procedures"], key=lambda p: p["code"]),
    }

    engine = make_engine(other_db_url)
    with session_scope(engine) as session:
        session.execute(delete(Component))
        session.execute(delete(Procedure))
        session.execute(delete(Field))
    engine.dispose()
    text = json.dumps(exported, ensure_ascii=False).encode("utf-8")
    result = _import(other_db_url, read_catalogue(text))
    assert len(result.created) == len(exported["procedures"]) and result.updated == []
    assert _export(other_db_url) == exported


def test_importing_updates_by_code_and_keeps_the_rows_of_components_that_stay(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        before = {
            c.name: c.id for c in session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one().components
        }
    engine.dispose()
    document = _export(db_url)
    _procedure(document, PERMIT)["components"].pop()  # the optional experience statement goes
    _import(db_url, document)
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        permit = session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one()
        after = {c.name: c.id for c in permit.components}
        assert [c.position for c in permit.components] == [1, 2, 3]
    engine.dispose()
    assert len(after) == len(before) - 1 and all(before[name] == ident for name, ident in after.items())


def test_import_with_one_bad_procedure_imports_nothing_and_names_it(db_url):
    before = _export(db_url)
    document = copy.deepcopy(before)
    document["fields"].append({"code": "CONG_THUONG", "name": "Công thương"})
    _procedure(document, BIRTH)["name"] = "Đăng ký khai sinh (đã sửa)"
    _procedure(document, PERMIT).update(department="000.99.99.H10", time_kind="weeks", name="  ")
    with pytest.raises(CatalogueRejected) as raised:
        _import(db_url, document)
    problems = raised.value.problems
    assert list(problems) == [f"Thủ tục {PERMIT}"]
    messages = " ".join(problems[f"Thủ tục {PERMIT}"])
    assert "Tên thủ tục không được để trống." in messages
    assert "Loại thời hạn phải là ngày làm việc (working_days)" in messages
    assert "Không có đơn vị mã “000.99.99.H10” (đơn vị thụ lý)." in messages
    assert PERMIT in raised.value.message
    assert _export(db_url) == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"process_key": "khong_co"}, "Chưa có quy trình nào được triển khai với khóa “khong_co”."),
        ({"agency": "000.00.12.H10"}, "Đơn vị “000.00.12.H10” không phải một cơ quan."),
        ({"field": "KHONG_CO"}, "Lĩnh vực “KHONG_CO” không có trong tệp cũng như trong danh mục."),
        ({"time_value": -1}, "Thời hạn giải quyết phải là số nguyên từ 1 đến 365 ngày."),
        ({"effective_from": "31/02/2026"}, "Ngày hiệu lực phải là một ngày có thật"),
        ({"online_level": "muc_4"}, "Mức độ dịch vụ trực tuyến phải là"),
        ({"application_form": "khong_co"}, "Không có biểu mẫu tờ khai “khong_co”."),
        ({"components": [{"name": ""}]}, "Thành phần thứ 1: Tên thành phần hồ sơ không được để trống."),
        ({"components": [{"name": "Đơn", "originals": -2}]}, "Thành phần thứ 1: Số bản phải là số nguyên từ 0 đến 99."),
    ],
)
def test_each_kind_of_bad_procedure_is_explained(db_url, change, expected):
    document = _export(db_url)
    _procedure(document, PERMIT).update(change)
    with pytest.raises(CatalogueRejected) as raised:
        _import(db_url, document)
    assert expected in " ".join(raised.value.problems[f"Thủ tục {PERMIT}"])


def test_file_level_mistakes_are_explained(sqlite_url):
    with pytest.raises(CatalogueRejected) as raised:
        read_catalogue(b"{not json")
    assert raised.value.problems == {"Tệp": ["Tệp không phải JSON hợp lệ (UTF-8) xuất từ danh mục thủ tục."]}
    document = _export(sqlite_url)
    document["procedures"].append(dict(document["procedures"][0]))
    document["procedures"].append({"name": "Không mã"})
    document["fields"].append({"code": "xay dung", "name": "Xây dựng"})
    with pytest.raises(CatalogueRejected) as raised:
        _import(sqlite_url, document)
    problems = raised.value.problems
    first = document["procedures"][0]["code"]
    assert "Mã thủ tục bị lặp lại trong tệp." in problems[f"Thủ tục {first}"]
    assert "Thiếu mã thủ tục." in problems[f"Thủ tục thứ {len(document['procedures'])}"]
    assert any("Mã lĩnh vực gồm 2–40 ký tự" in m for m in problems["Lĩnh vực xay dung"])


def test_only_an_administrator_exports_imports_or_edits(sqlite_url):
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        officer = _user(session, "motcua")
        with pytest.raises(Forbidden):
            export_catalogue(session, officer)
        with pytest.raises(Forbidden):
            import_catalogue(session, officer, {"procedures": []}, FORMS.names())
        with pytest.raises(Forbidden):
            update_procedure(session, _user(session, "thietke"), PERMIT, {}, FORMS.names())
    engine.dispose()


def test_a_refused_edit_writes_nothing(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        admin = _user(session, "quantri")
        permit = session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one()
        changes = {
            "name": "Cấp phép xây dựng (sửa)",
            "new_field": {"code": "MOI", "name": "Lĩnh vực mới"},
            "time_kind": "working_days",
            "time_value": "0",
            "components": [{"id": c.id, "name": c.name} for c in permit.components[1:]],
        }
        with pytest.raises(InvalidInput) as raised, transaction(session):
            update_procedure(session, admin, PERMIT, changes, FORMS.names())
        assert raised.value.errors == {"time_value": "Thời hạn giải quyết phải là số nguyên từ 1 đến 365 ngày."}
    with session_scope(engine) as session:
        permit = session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one()
        assert permit.name == "Cấp giấy phép xây dựng nhà ở riêng lẻ" and len(permit.components) == 4
        assert session.scalars(select(Field).where(Field.code == "MOI")).first() is None
    engine.dispose()
