"""The statistics pages and API: figures of the hand-counted fixture, files, refusals."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from engine.documents.render import soffice_binary
from tests.conftest import require_part
from tests.factories import Api
from tests.report_fixture import load_report_fixture
from tests.web.test_ui import login
from webapp.extensions import db

QUERY = "from=2026-03-01&to=2026-03-31"
BUILDING = [11, 2, 3, 6, 5, 1, 3, 1, 6, 3, 3]
TOTAL = [13, 3, 4, 6, 6, 2, 3, 1, 7, 3, 4]


@pytest.fixture
def loaded(app):
    with app.app_context():
        load_report_fixture(db.session)
        db.session.commit()
    return app


def _columns(row):
    r, s, o = row["received"], row["resolved"], row["in_progress"]
    return [r["total"], r["carried_over"], r["new_online"], r["new_in_person_or_post"],
            s["total"], s["before_time"], s["on_time"], s["late"], o["total"], o["within_time"], o["late"]]  # fmt: skip


def test_api_bieu_06_by_field_and_by_unit(loaded, client):
    admin = Api(client, "quantri")
    body = admin.get(f"/reports/bieu-06?{QUERY}&by=field").json
    assert body["unit"] == {"code": "", "name": "Tất cả đơn vị"}
    assert {row["label"]: _columns(row) for row in body["rows"]}["Xây dựng"] == BUILDING
    assert _columns(body["total"]) == TOTAL
    by_unit = admin.get(f"/reports/bieu-06?{QUERY}&by=unit").json
    assert [row["label"] for row in by_unit["rows"]] == ["Sở Tư pháp", "Sở Xây dựng"]


def test_api_bieu_06_as_xlsx(loaded, client):
    response = Api(client, "truongphong").get(f"/reports/bieu-06?{QUERY}&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="bieu-06_field_000.00.13.H10_20260301-20260331.xlsx"' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    total = [c.value for c in list(sheet.iter_rows())[-1]]
    assert total[1:] == ["Tổng cộng", *BUILDING]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-03-31&to=2026-03-01", "to", "Ngày kết thúc kỳ báo cáo phải từ ngày bắt đầu trở đi."),
        ("from=2019-01-01&to=2026-03-01", "to", "Kỳ báo cáo dài tối đa 5 năm; hãy chọn kỳ ngắn hơn."),
        (f"{QUERY}&unit=KHONG.CO", "unit", "Không có đơn vị mã “KHONG.CO”."),
        ("to=2026-03-01", "from", "Hãy nhập ngày bắt đầu kỳ báo cáo hợp lệ (ví dụ 2026-01-01)."),
        (f"{QUERY}&format=csv", "format", "Định dạng tải về là xlsx hoặc pdf."),
    ],
)
def test_api_refuses_bad_input_with_422(loaded, client, query, field, message):
    response = Api(client, "quantri").get(f"/reports/bieu-06?{query}")
    assert response.status_code == 422
    assert response.json["errors"][field] == message


def test_api_refuses_a_specialist_and_a_leader_outside_their_unit(loaded, client):
    response = Api(client, "chuyenvien").get(f"/reports/bieu-06?{QUERY}")
    assert response.status_code == 403 and "lãnh đạo" in response.json["error"]
    response = Api(client, "truongphong").get(f"/reports/bieu-06?{QUERY}&unit=000.00.12.H10")
    assert response.status_code == 403


def test_api_other_reports(loaded, client):
    admin = Api(client, "quantri")
    procedures = admin.get(f"/reports/procedures?{QUERY}").json["rows"]
    assert next(r for r in procedures if r["code"] == "1.009994")["average_days"] == 7.67
    officers = admin.get(f"/reports/officers?{QUERY}").json["rows"]
    assert {r["username"]: (r["steps"], r["late"]) for r in officers} == {"chuyenvien": (3, 1), "chuyenvien_tp": (1, 0)}
    indicators = {i["key"]: i for i in admin.get(f"/reports/qd-766?{QUERY}").json["indicators"]}
    assert indicators["dossiers_online"]["percent"] == 40.0
    assert indicators["satisfaction"]["percent"] is None and indicators["satisfaction"]["note"] == "chưa có dữ liệu"
    register = admin.get(f"/reports/mau-07?{QUERY}").json
    assert register["total"] == 13 and register["rows"][0]["applicant"] == "Người nộp B"


def test_report_page_shows_the_national_header_and_the_figures(loaded, client):
    login(client, "truongphong")
    html = client.get(f"/bao-cao?{QUERY}&by=unit").get_data(as_text=True)
    assert "Biểu số 06/VPCP/KSTT" in html and "Từ kỳ trước chuyển qua" in html and "Trong hạn" in html
    assert "Đơn vị báo cáo:</strong> Sở Xây dựng" in html
    total = html.split('class="total"')[1].split("</tr>")[0]
    assert [int(x.split("<")[0]) for x in total.split('class="num">')[1:]] == BUILDING
    assert "format=xlsx" in html and "format=pdf" in html
    assert 'href="/bao-cao"' in client.get("/cong-viec").get_data(as_text=True)


def test_report_page_explains_a_bad_period_and_keeps_what_was_typed(loaded, client):
    login(client, "lanhdao")
    response = client.get("/bao-cao?from=2026-03-31&to=2026-03-01&by=field")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ngày kết thúc kỳ báo cáo phải từ ngày bắt đầu trở đi." in html
    assert 'value="2026-03-31"' in html and 'value="2026-03-01"' in html


def test_report_pages_are_refused_to_a_specialist(loaded, client):
    login(client, "chuyenvien")
    assert client.get(f"/bao-cao?{QUERY}").status_code == 403
    assert 'href="/bao-cao"' not in client.get("/cong-viec").get_data(as_text=True)


def test_other_report_pages_and_the_register_download(loaded, client):
    login(client, "quantri")
    assert "Trần Văn Bình" in client.get(f"/bao-cao/can-bo?{QUERY}").get_data(as_text=True)
    assert "chưa có dữ liệu" in client.get(f"/bao-cao/qd-766?{QUERY}").get_data(as_text=True)
    assert "7.67" in client.get(f"/bao-cao/thu-tuc?{QUERY}").get_data(as_text=True)
    assert "Người nộp B" in client.get(f"/bao-cao/mau-07?{QUERY}").get_data(as_text=True)
    response = client.get(f"/bao-cao/mau-07?{QUERY}&format=xlsx")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(min_row=7, values_only=True))
    assert len(rows) == 13 and rows[-1][4] == "Người nộp Q"


def test_api_bieu_06_as_pdf_carries_the_figures(loaded, client, tmp_path):
    require_part(soffice_binary() is not None, "LibreOffice (Debian libreoffice-writer-nogui)")
    require_part(shutil.which("pdftotext") is not None, "poppler-utils")
    response = Api(client, "lanhdao").get(f"/reports/bieu-06?{QUERY}&by=unit&format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "bieu-06.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Đơn vị báo cáo: Ủy ban nhân dân tỉnh Bình Phước" in text
    total = next(line for line in text.splitlines() if "Tổng cộng" in line)
    assert [int(x) for x in total.split()[2:]] == TOTAL
