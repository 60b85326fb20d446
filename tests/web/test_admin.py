"""The administrator's pages: catalogue, holidays and swaps, office hours (Flask test client, CSRF on)."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from engine.models import CalendarDay, Dossier, Field, OutboxMessage, Procedure, Unit
from engine.services.calendar_admin import parse_day
from engine.services.calendars import unit_calendar
from tests.factories import PERMIT, Api
from tests.web.test_ui import csrf_of, login
from webapp.extensions import db

AGENCY = "000.00.00.H10"
PAGES = (
    "/quan-tri/thu-tuc",
    f"/quan-tri/thu-tuc/{PERMIT}",
    "/quan-tri/thu-tuc/xuat.json",
    "/quan-tri/thu-tuc/nhap",
    "/quan-tri/lich?nam=2026",
    "/quan-tri/don-vi",
    f"/quan-tri/don-vi/{AGENCY}",
)
# Received on Monday 2 March 2026 at 08:00: no holiday or swap in March 2026.
RECEIVED = "2026-03-02T08:00"


class _Form(HTMLParser):
    """What a browser would send for one form: inputs, ticked boxes, selected options, text areas."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input" and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.values.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values.append((a["name"], ""))

    def handle_data(self, data):
        if self._textarea:
            self.values[-1] = (self._textarea, self.values[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_of(html: str, form_id: str) -> dict[str, str]:
    parser = _Form(form_id)
    parser.feed(html)
    return dict(parser.values)


def procedure_form(client, code: str = PERMIT) -> dict[str, str]:
    return form_of(client.get(f"/quan-tri/thu-tuc/{code}").get_data(as_text=True), "procedure-form")


def due_at(api: Api, code: str = PERMIT, received: str = RECEIVED) -> str:
    response = api.get(f"/appointment?procedure_code={code}&received_at={received}")
    assert response.status_code == 200, response.json
    return response.json["due_at"]


def token_of(client) -> str:
    return csrf_of(client.get("/cong-viec").get_data(as_text=True))


# --- who may use the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "status"), [("quantri", 200), ("motcua", 403), ("chuyenvien", 403)])
def test_only_administrators_may_open_the_admin_pages(client, username, status):
    login(client, username)
    for page in PAGES:
        assert client.get(page).status_code == status, page
    home = client.get("/cong-viec").get_data(as_text=True)
    assert ('href="/quan-tri/thu-tuc">Quản trị</a>' in home) == (status == 200)


@pytest.mark.parametrize("username", ["motcua", "chuyenvien"])
def test_others_cannot_change_anything_by_posting(app, client, username):
    login(client, username)
    token = token_of(client)
    posts = [
        (f"/quan-tri/thu-tuc/{PERMIT}", {"name": "Bị sửa", "time_kind": "same_day", "field": "XAY_DUNG"}),
        ("/quan-tri/lich", {"day": "2026-03-10", "kind": "holiday", "name": "Nghỉ"}),
        ("/quan-tri/lich/xoa", {"day": "2026-01-01"}),
        ("/quan-tri/lich/nhap", {"year": "2031"}),
        (f"/quan-tri/don-vi/{AGENCY}", {"office_hours": "08:00-12:00", "working_weekdays": ""}),
    ]
    for url, data in posts:
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    upload = {"file": (io.BytesIO(b'{"procedures": []}'), "danh-muc.json"), "csrf_token": token}
    assert client.post("/quan-tri/thu-tuc/nhap", data=upload).status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Procedure.name).where(Procedure.code == PERMIT)).one() != "Bị sửa"
        assert db.session.scalar(select(func.count()).select_from(CalendarDay).where(CalendarDay.name == "Nghỉ")) == 0
        assert db.session.get(CalendarDay, parse_day("2026-01-01")) is not None
        assert db.session.scalars(select(Unit.office_hours).where(Unit.code == AGENCY)).one() == ""


def test_pages_need_a_login(client):
    response = client.get("/quan-tri/thu-tuc")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


# --- the catalogue -----------------------------------------------------------------------------------


def test_editing_the_time_changes_the_appointment(client):
    api = Api(client, "motcua")
    # 15 working days of 8 office hours from Monday 2/3 08:00: 16 working days later at 08:00 is Monday 23/3.
    assert due_at(api) == "2026-03-23T08:00:00"
    login(client, "quantri")
    for time_kind, time_value, expected in [
        ("working_days", "3", "2026-03-05T08:00:00"),  # Thursday, 3 × 8 office hours later
        ("calendar_days", "10", "2026-03-12T17:00:00"),  # 2/3 + 10 days, at closing time
        ("same_day", "", "2026-03-02T17:00:00"),  # received before 15:00: due at closing the same day
    ]:
        form = procedure_form(client) | {"time_kind": time_kind, "time_value": time_value}
        response = client.post(f"/quan-tri/thu-tuc/{PERMIT}", data=form, follow_redirects=True)
        assert response.status_code == 200 and f"Đã lưu thủ tục {PERMIT}." in response.get_data(as_text=True)
        assert due_at(api) == expected, time_kind


def test_a_renamed_procedure_is_named_so_in_the_next_notice_at_once(app, client):
    api = Api(client, "motcua")
    api.receive(PERMIT)  # the old name is now cached for the notices
    login(client, "quantri")
    form = procedure_form(client) | {"name": "Cấp giấy phép xây dựng nhà ở nông thôn"}
    assert client.post(f"/quan-tri/thu-tuc/{PERMIT}", data=form).status_code in (200, 302)
    code = api.receive(PERMIT).json["code"]
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.subject == f"Hồ sơ {code} đã được tiếp nhận")
        ).one()
    assert "Cấp giấy phép xây dựng nhà ở nông thôn" in body


def test_bad_procedure_input_is_explained_kept_and_nothing_is_written(app, client):
    login(client, "quantri")
    form = procedure_form(client)
    bad = form | {"name": "  ", "time_value": "-3", "fee": "50.000 đồng", "c-0-name": "Đơn đề nghị (sửa)"}
    response = client.post(f"/quan-tri/thu-tuc/{PERMIT}", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tên thủ tục không được để trống." in html
    assert "Thời hạn giải quyết phải là số nguyên từ 1 đến 365 ngày." in html
    assert 'value="-3"' in html and 'value="50.000 đồng"' in html and ">Đơn đề nghị (sửa)</textarea>" in html

    new_field = form | {"field": "__new__", "new_field_code": "xây dựng!", "new_field_name": "Xây dựng mới"}
    response = client.post(f"/quan-tri/thu-tuc/{PERMIT}", data=new_field)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mã lĩnh vực gồm 2–40 ký tự: chữ in hoa không dấu" in html
    assert 'value="xây dựng!"' in html and 'value="Xây dựng mới"' in html
    assert '<option value="__new__" selected>' in html

    counts = form | {"c-1-originals": "abc", "c-2-name": "", "c-0-position": "3", "c-2-position": "1"}
    html = client.post(f"/quan-tri/thu-tuc/{PERMIT}", data=counts).get_data(as_text=True)
    assert "Số bản phải là số nguyên từ 0 đến 99." in html and "Tên thành phần hồ sơ không được để trống." in html
    assert 'value="abc"' in html
    # The rows come back in the order typed, the emptied name still empty.
    assert html.index('name="c-2-name"') < html.index('name="c-1-name"') < html.index('name="c-0-name"')
    assert 'name="c-2-name" rows="2" maxlength="500" aria-label="Tên giấy tờ"></textarea>' in html
    with app.app_context():
        permit = db.session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one()
        assert (permit.name, permit.time_value, permit.fee) == (
            "Cấp giấy phép xây dựng nhà ở riêng lẻ",
            15,
            "Theo quy định của Hội đồng nhân dân tỉnh",
        )
        assert permit.components[0].name.startswith("Đơn đề nghị cấp giấy phép xây dựng")
        assert db.session.scalar(select(func.count()).select_from(Field)) == 5


def test_a_new_field_and_the_other_facts_are_saved(app, client):
    login(client, "quantri")
    form = procedure_form(client) | {
        "name": "Cấp giấy phép xây dựng nhà ở nông thôn",
        "field": "__new__",
        "new_field_code": "NHA_O",
        "new_field_name": "Nhà ở",
        "fee": "75.000 đồng",
        "result": "Giấy phép",
        "source": "Nghị định 175/2024/NĐ-CP",
        "effective_from": "2026-12-01",
        "online_level": "toan_trinh",
        "application_form": "to_khai_cu_tru",
    }
    del form["active"]
    assert client.post(f"/quan-tri/thu-tuc/{PERMIT}", data=form).status_code == 302
    with app.app_context():
        permit = db.session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one()
        assert (permit.field.code, permit.field.name) == ("NHA_O", "Nhà ở")
        assert permit.name_folded == "cap giay phep xay dung nha o nong thon"
        assert (permit.fee, permit.online_level, permit.application_form) == (
            "75.000 đồng",
            "toan_trinh",
            "to_khai_cu_tru",
        )
        assert str(permit.effective_from) == "2026-12-01" and permit.active is False
    # An inactive procedure is gone from the counter, and still editable here.
    login(client, "motcua")
    assert client.get(f"/mot-cua/tiep-nhan/{PERMIT}").status_code == 404
    login(client, "quantri")
    page = client.get("/quan-tri/thu-tuc").get_data(as_text=True)
    assert "Ngừng áp dụng" in page and "Cấp giấy phép xây dựng nhà ở nông thôn" in page


def test_components_are_added_edited_removed_and_reordered_without_touching_dossiers(app, client):
    counter = Api(client, "motcua")
    received = counter.receive(PERMIT)
    assert received.status_code == 201, received.json
    with app.app_context():
        dossier = db.session.scalars(select(Dossier).where(Dossier.code == received.json["code"])).one()
        snapshot = [(c.position, c.name, c.originals) for c in dossier.components]
    login(client, "quantri")
    form = procedure_form(client)
    assert form["rows"] == "7" and form["c-4-id"] == ""  # four components, three blank rows
    form |= {
        "c-0-name": "Đơn đề nghị cấp giấy phép xây dựng",  # edited
        "c-0-originals": "2",
        "c-0-position": "2",
        "c-1-position": "1",  # moved up
        "c-3-remove": "on",  # removed
        "c-4-name": "Văn bản ủy quyền (nếu có)",  # added, at the end
        "c-4-certified_copies": "1",
    }
    del form["c-4-required"]
    assert client.post(f"/quan-tri/thu-tuc/{PERMIT}", data=form).status_code == 302
    with app.app_context():
        permit = db.session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one()
        assert [(c.position, c.name, c.required, c.originals, c.certified_copies) for c in permit.components] == [
            (1, "Giấy tờ chứng minh quyền sử dụng đất", True, 0, 1),
            (2, "Đơn đề nghị cấp giấy phép xây dựng", True, 2, 0),
            (3, "Bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng)", True, 2, 0),
            (4, "Văn bản ủy quyền (nếu có)", False, 1, 1),
        ]
        dossier = db.session.scalars(select(Dossier).where(Dossier.code == received.json["code"])).one()
        assert [(c.position, c.name, c.originals) for c in dossier.components] == snapshot
    page = client.get(f"/quan-tri/thu-tuc/{PERMIT}").get_data(as_text=True)
    assert page.index("Giấy tờ chứng minh quyền sử dụng đất") < page.index("Đơn đề nghị cấp giấy phép xây dựng")


def test_export_and_import_through_the_pages(app, client):
    login(client, "quantri")
    response = client.get("/quan-tri/thu-tuc/xuat.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="danh-muc-thu-tuc-')
    document = json.loads(response.get_data(as_text=True))
    assert {p["code"] for p in document["procedures"]} >= {PERMIT, "1.001193"}
    permit = next(p for p in document["procedures"] if p["code"] == PERMIT)
    assert (permit["process_key"], permit["agency"], permit["department"]) == (
        "cap_phep_xay_dung",
        AGENCY,
        "000.00.13.H10",
    )
    token = token_of(client)

    permit["name"] = "Cấp giấy phép xây dựng (nhập từ tệp)"
    bad = json.loads(json.dumps(document))
    next(p for p in bad["procedures"] if p["code"] == "1.001193")["process_key"] = "khong_co"
    upload = {"file": (io.BytesIO(json.dumps(bad).encode()), "danh-muc.json"), "csrf_token": token}
    response = client.post("/quan-tri/thu-tuc/nhap", data=upload)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Chưa nhập thủ tục nào" in html and "Thủ tục 1.001193" in html
    assert "Chưa có quy trình nào được triển khai với khóa “khong_co”." in html
    with app.app_context():
        assert db.session.scalars(select(Procedure.name).where(Procedure.code == PERMIT)).one() == (
            "Cấp giấy phép xây dựng nhà ở riêng lẻ"
        )

    upload = {"file": (io.BytesIO(json.dumps(document).encode()), "danh-muc.json"), "csrf_token": token}
    response = client.post("/quan-tri/thu-tuc/nhap", data=upload, follow_redirects=True)
    assert response.status_code == 200
    assert f"Đã nhập {len(document['procedures'])} thủ tục: 0 thủ tục mới" in response.get_data(as_text=True)
    with app.app_context():
        procedure = db.session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one()
        assert procedure.name_folded == "cap giay phep xay dung (nhap tu tep)"

    empty = client.post("/quan-tri/thu-tuc/nhap", data={"csrf_token": token})
    assert empty.status_code == 422 and "Hãy chọn tệp JSON" in empty.get_data(as_text=True)


# --- holidays and swapped days -----------------------------------------------------------------------


def _add_day(client, day: str, kind: str, name: str):
    page = client.get("/quan-tri/lich?nam=2026").get_data(as_text=True)
    data = {"day": day, "kind": kind, "name": name, "csrf_token": csrf_of(page)}
    return client.post("/quan-tri/lich?nam=2026", data=data)


def test_holidays_and_swaps_move_the_due_date_at_once(client):
    api = Api(client, "motcua")
    assert due_at(api) == "2026-03-23T08:00:00"  # cached for a minute from here on
    login(client, "quantri")
    response = _add_day(client, "2026-03-10", "holiday", "Nghỉ đột xuất")
    assert response.status_code == 302 and response.headers["Location"].endswith("/quan-tri/lich?nam=2026")
    # Tuesday 10/3 is off: the 15 working days end one working day later, Tuesday 24/3 at 08:00.
    assert due_at(api) == "2026-03-24T08:00:00"
    assert _add_day(client, "07/03/2026", "workday", "Làm bù cho ngày 10/03/2026").status_code == 302
    # Saturday 7/3 is worked: one working day back, Monday 23/3 at 08:00.
    assert due_at(api) == "2026-03-23T08:00:00"
    page = client.get("/quan-tri/lich?nam=2026").get_data(as_text=True)
    assert "Thứ Ba, 10/03/2026" in page and "Nghỉ đột xuất" in page and "Thứ Bảy, 07/03/2026" in page
    response = client.post("/quan-tri/lich/xoa", data={"day": "2026-03-10", "csrf_token": csrf_of(page)})
    assert response.status_code == 302
    # Only the swapped Saturday is left: one working day earlier, Friday 20/3 at 08:00.
    assert due_at(api) == "2026-03-20T08:00:00"


def test_bad_calendar_days_are_explained_kept_and_not_written(app, client):
    login(client, "quantri")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(CalendarDay))
    response = _add_day(client, "2026-01-01", "holiday", "Tết Dương lịch (lần hai)")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ngày 01/01/2026 đã có trong lịch" in html and 'value="Tết Dương lịch (lần hai)"' in html
    html = _add_day(client, "2026-03-11", "workday", "Làm bù").get_data(as_text=True)
    assert "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật; 11/03/2026 là Thứ Tư." in html
    html = _add_day(client, "31/02/2026", "holiday", "").get_data(as_text=True)
    assert "Hãy nhập một ngày có thật" in html and "Hãy ghi tên ngày lễ hoặc lý do làm bù." in html
    assert 'value="31/02/2026"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarDay)) == before


def test_a_year_is_imported_from_the_holidays_package(app, client):
    login(client, "quantri")
    page = client.get("/quan-tri/lich?nam=2030").get_data(as_text=True)
    assert "Chưa có ngày nghỉ lễ, ngày làm bù nào cho năm 2030." in page
    response = client.post("/quan-tri/lich/nhap?nam=2030", data={"year": "2030", "csrf_token": csrf_of(page)})
    assert response.status_code == 302
    page = client.get("/quan-tri/lich?nam=2030").get_data(as_text=True)
    assert "01/01/2030" in page and "02/09/2030" in page
    again = client.post("/quan-tri/lich/nhap?nam=2030", data={"year": "2030", "csrf_token": csrf_of(page)})
    assert "không thêm ngày nào" in client.get(again.headers["Location"]).get_data(as_text=True)
    bad = client.post("/quan-tri/lich/nhap?nam=2030", data={"year": "năm sau", "csrf_token": csrf_of(page)})
    assert bad.status_code == 422 and "Năm phải là một số từ 2000 đến 2100." in bad.get_data(as_text=True)


# --- office hours ------------------------------------------------------------------------------------


def test_office_hours_are_validated_and_saved(app, client):
    api = Api(client, "motcua")
    login(client, "quantri")
    page = client.get(f"/quan-tri/don-vi/{AGENCY}").get_data(as_text=True)
    token = csrf_of(page)
    response = client.post(
        f"/quan-tri/don-vi/{AGENCY}",
        data={"office_hours": "07:00-25:00", "working_weekdays": "0,1,7", "csrf_token": token},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Giờ làm việc phải có dạng 07:00-11:30,13:30-17:00." in html
    assert "Ngày làm việc trong tuần là các số 0 (thứ Hai) đến 6 (Chủ nhật)." in html
    assert 'value="07:00-25:00"' in html and 'value="0,1,7"' in html
    with app.app_context():
        assert db.session.scalars(select(Unit.office_hours).where(Unit.code == AGENCY)).one() == ""

    with app.app_context():
        agency_id = db.session.scalars(select(Unit.id).where(Unit.code == AGENCY)).one()
        assert 5 not in unit_calendar(db.session, agency_id).hours.weekdays  # cached for a minute from here on
    data = {"office_hours": " 07:00-11:00 , 13:00-17:00", "working_weekdays": "5,0,1,2,3,4", "csrf_token": token}
    assert client.post(f"/quan-tri/don-vi/{AGENCY}", data=data).status_code == 302
    with app.app_context():
        agency = db.session.scalars(select(Unit).where(Unit.code == AGENCY)).one()
        assert (agency.office_hours, agency.working_weekdays) == ("07:00-11:00,13:00-17:00", "0,1,2,3,4,5")
        assert 5 in unit_calendar(db.session, agency_id).hours.weekdays
    units = client.get("/quan-tri/don-vi").get_data(as_text=True)
    assert "(theo Ủy ban nhân dân tỉnh Bình Phước)" in units and "Thứ Bảy" in units
    # Saturdays now count (8 hours a day still): the 16th working day from Monday 2/3 is Thursday 19/3.
    assert due_at(api) == "2026-03-19T08:00:00"

    cleared = {"office_hours": "", "working_weekdays": "", "csrf_token": token}
    assert client.post(f"/quan-tri/don-vi/{AGENCY}", data=cleared).status_code == 302
    assert due_at(api) == "2026-03-23T08:00:00"
