"""The documents of processing through the web app: the result issued at status 9 and checked in public,
Mẫu 04, 05 and 06 for staff, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from engine import clock
from engine.documents import render as render_module
from engine.models import Dossier, Extension, IssuedDocument, Unit, User, UserRole
from engine.services.auth import hash_password
from engine.services.result_documents import CODE_ALPHABET, issue_result
from tests.conftest import require_part
from tests.factories import APPLICANT, Api, run_permit_to_end, specialist_choice
from tests.web.test_ui import login
from webapp import create_app
from webapp.extensions import db

EXAMINATION = "Thiết kế phù hợp quy hoạch; đủ điều kiện cấp phép"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    for section in document.sections:
        lines.extend(p.text for p in section.header.paragraphs)
    return "\n".join(lines)


def examine(client, code: str) -> None:
    """Assign and examine a permit dossier: it then waits for the leader's approval (status 4)."""
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    specialist = Api(client, "chuyenvien")
    task = specialist.task_for(code)
    response = specialist.complete(task["id"], {"proposal": "approve", "examination": EXAMINATION})
    assert response.status_code == 200


def resolve(client, code: str) -> None:
    """Walk a permit dossier to status 9 (resolved, waiting to be returned)."""
    examine(client, code)
    director = Api(client, "lanhdao")
    task = director.task_for(code)
    response = director.complete(task["id"], {"decision": "approve", "note": ""})
    assert response.json["dossier"]["status"] == 9, response.json


def issued(app, code: str) -> list[IssuedDocument]:
    with app.app_context():
        dossier_id = db.session.scalars(select(Dossier.id).where(Dossier.code == code)).one()
        rows = db.session.scalars(select(IssuedDocument).where(IssuedDocument.dossier_id == dossier_id)).all()
        db.session.expunge_all()
        return list(rows)


def new_dossier(client) -> str:
    return Api(client, "motcua").receive().json["code"]


# --- the result ------------------------------------------------------------------------------------------


def test_resolving_issues_the_result_once_with_a_verification_code(app, client):
    code = new_dossier(client)
    assert issued(app, code) == []
    resolve(client, code)
    (document,) = issued(app, code)
    assert document.kind == "result"
    assert document.title == "Giấy phép xây dựng"
    assert document.number == "1/GPXD"
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{10}}", document.verification_code)
    assert (document.holder_name, document.signed_by_name) == (APPLICANT["full_name"], "Phạm Minh Đức")
    assert len(document.sha256) == 64 and EXAMINATION in document.content
    # Returning the result, or asking again, issues nothing new: a dossier has one live result.
    counter = Api(client, "motcua")
    task = counter.task_for(code)
    returned = counter.complete(task["id"], {"receiver_name": "Nguyễn Văn An", "return_method": "counter"})
    assert (returned.status_code, returned.json["dossier"]["status"]) == (200, 10)
    with app.app_context():
        again = issue_result(db.session, document.dossier_id, None, clock.now())
        assert again.id == document.id
        db.session.commit()
    assert [d.id for d in issued(app, code)] == [document.id]
    # The next resolved dossier of the agency gets the next number.
    other = new_dossier(client)
    resolve(client, other)
    assert issued(app, other)[0].number == "2/GPXD"


def test_the_issued_result_downloads_with_its_code(app, client):
    code = new_dossier(client)
    api = Api(client, "lanhdao")
    response = api.get(f"/dossiers/{code}/documents/result?format=docx")
    assert response.status_code == 404
    assert response.json["error"] == "Hồ sơ này chưa có kết quả được ký ban hành."
    resolve(client, code)
    (document,) = issued(app, code)
    login(client, "lanhdao")
    response = client.get(f"/ho-so/{code}/van-ban/result.docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert f'filename="ket-qua_{code}.docx"' in response.headers["Content-Disposition"]
    text = docx_text(response.data)
    assert "GIẤY PHÉP XÂY DỰNG" in text and "Số: 1/GPXD" in text
    assert f"Mã xác minh: {document.verification_code}" in text
    assert f"http://127.0.0.1:5000/xac-minh/{document.verification_code}" in text
    assert f"Cấp cho: Ông (Bà) {APPLICANT['full_name']}" in text
    assert EXAMINATION in text and "DỰ THẢO" not in text
    # The API serves the same document, re-rendered from what was stored.
    by_api = api.get(f"/dossiers/{code}/documents/result?format=docx")
    assert by_api.status_code == 200 and docx_text(by_api.data) == text


def test_the_draft_shows_the_examination_and_no_code(client):
    code = new_dossier(client)
    examine(client, code)
    login(client, "chuyenvien")
    response = client.get(f"/ho-so/{code}/van-ban/du-thao.docx")
    assert response.status_code == 200
    text = docx_text(response.data)
    assert "DỰ THẢO" in text and "GIẤY PHÉP XÂY DỰNG" in text
    assert EXAMINATION in text and APPLICANT["full_name"] in text
    assert "Mã xác minh:" not in text


def test_birth_registration_issues_the_extract_from_its_application_form(app, client):
    child = {
        "child_full_name": "Trần Minh Khôi",
        "child_birth_date": "2026-03-04",
        "child_sex": "male",
        "birth_place": "Bệnh viện Đa khoa tỉnh Bình Phước",
        "mother_full_name": "Lê Thị Hồng",
        "father_full_name": "Nguyễn Văn An",
        "declarant_relationship": "cha",
    }
    response = Api(client, "motcua").receive("1.001193", data=child)
    assert response.status_code == 201, response.json
    code = response.json["code"]
    for username, data in (
        ("chuyenvien_tp", {"proposal": "approve", "examination": "Giấy chứng sinh hợp lệ"}),
        ("lanhdao", {"decision": "approve", "note": ""}),
    ):
        api = Api(client, username)
        assert api.complete(api.task_for(code)["id"], data).status_code == 200
    (document,) = issued(app, code)
    assert (document.title, document.number) == ("Trích lục khai sinh", "1/TLKS")
    text = docx_text(Api(client, "lanhdao").get(f"/dossiers/{code}/documents/result?format=docx").data)
    assert "TRÍCH LỤC KHAI SINH" in text and "Họ, chữ đệm, tên: TRẦN MINH KHÔI" in text
    assert "ghi bằng chữ: Ngày mồng bốn, tháng ba, năm hai nghìn không trăm hai mươi sáu" in text
    assert "Giới tính: Nam" in text and "Họ, chữ đệm, tên người mẹ: Lê Thị Hồng" in text
    assert f"Mã xác minh: {document.verification_code}" in text


# --- the public check -------------------------------------------------------------------------------------


def test_the_public_page_shows_what_was_issued(app, client):
    code = new_dossier(client)
    resolve(client, code)
    (document,) = issued(app, code)
    response = client.get(f"/xac-minh/{document.verification_code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Văn bản này do hệ thống cấp và đang có giá trị." in html
    assert "Giấy phép xây dựng" in html and "1/GPXD" in html and code in html
    assert "Nguyễn V** A**" in html and "Phạm Minh Đức" in html
    for private in (APPLICANT["full_name"], APPLICANT["id_number"], APPLICANT["phone"], APPLICANT["address"]):
        assert private not in html
    # Typed by hand, in lower case and with a hyphen, the code still finds it.
    typed = document.verification_code.lower()[:5] + "-" + document.verification_code.lower()[5:]
    redirect = client.get(f"/xac-minh?code={typed}")
    assert redirect.status_code == 302 and redirect.headers["Location"].endswith(document.verification_code)
    assert client.get("/xac-minh").status_code == 200
    answer = client.get(f"/api/v1/verify/{document.verification_code}")
    assert answer.status_code == 200
    assert (answer.json["number"], answer.json["holder"], answer.json["revoked"]) == ("1/GPXD", "Nguyễn V** A**", False)


@pytest.mark.parametrize("forged", ["ABCDEFGHJK", "not-a-code", "0000000000"])
def test_an_unknown_code_is_answered_as_not_issued(client, forged):
    response = client.get(f"/xac-minh/{forged}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Không có văn bản nào do hệ thống cấp với mã xác minh này." in html
    assert "có thể là giả mạo" in html
    answer = client.get(f"/api/v1/verify/{forged}")
    assert answer.status_code == 404 and "có thể là giả mạo" in answer.json["error"]


def test_a_revoked_result_is_shown_as_revoked(app, client):
    code = new_dossier(client)
    resolve(client, code)
    (document,) = issued(app, code)
    with app.app_context():
        db.session.get(IssuedDocument, document.id).revoked_at = clock.now()
        db.session.commit()
    html = client.get(f"/xac-minh/{document.verification_code}").get_data(as_text=True)
    assert "đã bị thu hồi, hủy bỏ" in html and "đang có giá trị" not in html


# --- Mẫu 04, 05, 06 ---------------------------------------------------------------------------------------


def test_mau_04_exists_only_after_an_extension(app, client):
    code = new_dossier(client)
    login(client, "truongphong")
    response = client.get(f"/ho-so/{code}/van-ban/mau-04.docx")
    assert response.status_code == 404
    assert "chưa gia hạn lần nào" in response.get_data(as_text=True)
    api = Api(client, "truongphong")
    assert api.get(f"/dossiers/{code}/documents/mau-04?format=docx").json["error"].startswith("Hồ sơ này chưa gia hạn")
    with app.app_context():
        dossier = db.session.scalars(select(Dossier).where(Dossier.code == code)).one()
        leader = db.session.scalars(select(User).where(User.username == "truongphong")).one()
        db.session.add(
            Extension(
                dossier_id=dossier.id,
                at=clock.now(),
                actor_id=leader.id,
                actor_name=leader.full_name,
                reason="Cần xác minh ranh giới thửa đất với hộ liền kề",
                unit_at_fault="Sở Xây dựng",
                previous_due_at=dossier.due_at,
                new_due_at=dossier.due_at + timedelta(days=7),
            )
        )
        new_due = dossier.due_at + timedelta(days=7)
        db.session.commit()
    response = client.get(f"/ho-so/{code}/van-ban/mau-04.docx")
    assert response.status_code == 200
    text = docx_text(response.data)
    assert "VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert f"Kính gửi: Ông (Bà) {APPLICANT['full_name']}" in text and code in text
    assert "Cần xác minh ranh giới thửa đất với hộ liền kề" in text
    assert new_due.strftime("ngày %d/%m/%Y") in text
    assert api.get(f"/dossiers/{code}/documents/mau-04?format=docx").status_code == 200
    assert client.get(f"/ho-so/{code}/van-ban/mau-04.docx?lan=2").status_code == 404


def test_mau_05_exists_only_for_a_stopped_dossier(app, client):
    code = new_dossier(client)
    login(client, "lanhdao")
    response = client.get(f"/ho-so/{code}/van-ban/mau-05.docx")
    assert response.status_code == 404 and "không bị dừng giải quyết" in response.get_data(as_text=True)
    with app.app_context():
        dossier = db.session.scalars(select(Dossier).where(Dossier.code == code)).one()
        dossier.status, dossier.stop_reason = 8, "Người nộp hồ sơ đề nghị dừng giải quyết"
        db.session.commit()
    text = docx_text(client.get(f"/ho-so/{code}/van-ban/mau-05.docx").data)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Người nộp hồ sơ đề nghị dừng giải quyết" in text


def test_mau_06_lists_each_handover(client):
    code = new_dossier(client)
    responses = run_permit_to_end(client, code, reject_times=1)
    assert all(r.status_code == 200 for r in responses)
    history = Api(client, "lanhdao").get(f"/dossiers/{code}").json["history"]
    handovers = [h for h in history if h["action"] in ("receive", "complete", "assign", "recall", "rework")]
    assert len(handovers) == 7
    login(client, "motcua")
    response = client.get(f"/ho-so/{code}/van-ban/mau-06.docx")
    assert response.status_code == 200
    table = docx.Document(io.BytesIO(response.data)).tables[-1]
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert len(rows) == len(handovers)
    for index, (row, event) in enumerate(zip(rows, handovers, strict=True), start=1):
        assert row[0].startswith(f"{index}. Giao: ")
        assert f"Người giao: {event['actor']}" in row[1]
        assert row[2] in ("Trước hạn", "Đúng hạn", "Quá hạn")
    assert "Nhận: Người nộp hồ sơ" in rows[-1][0] and rows[-1][3] == "Trả kết quả"
    assert rows[3][3] == "Bổ sung thuyết minh"  # the leader's reason for sending it back

    page = client.get(f"/ho-so/{code}/phieu-kiem-soat")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in html and code in html
    body = html[html.index('id="handovers"') :]
    assert body.count("Giao:</strong>") == len(handovers)
    for name in ("Nguyễn Thị Mai", "Lê Hoàng Cường", "Trần Văn Bình", "Phạm Minh Đức"):
        assert name in body
    via_api = Api(client, "motcua").get(f"/dossiers/{code}/documents/mau-06?format=docx")
    assert via_api.status_code == 200


def test_unknown_documents_and_formats_are_404(client):
    code = new_dossier(client)
    login(client, "motcua")
    assert client.get(f"/ho-so/{code}/van-ban/mau-09.docx").status_code == 404
    assert client.get(f"/ho-so/{code}/van-ban/mau-06.odt").status_code == 404


def test_staff_of_another_agency_are_refused(app, client):
    code = new_dossier(client)
    resolve(client, code)
    with app.app_context():
        other = Unit(code="000.00.00.H26", name="Ủy ban nhân dân tỉnh Bình Dương", kind="agency")
        db.session.add(other)
        db.session.flush()
        db.session.add(
            User(
                username="ngoai",
                full_name="Đoàn Văn Ngoại",
                password_hash=hash_password("demo"),
                unit_id=other.id,
                role_rows=[UserRole(role="agency_leader")],
            )
        )
        db.session.commit()
    login(client, "ngoai")
    for form in ("result", "du-thao", "mau-06"):
        response = client.get(f"/ho-so/{code}/van-ban/{form}.docx")
        assert response.status_code == 403, form
        assert "Bạn không có quyền xem hồ sơ này." in response.get_data(as_text=True)
    assert client.get(f"/ho-so/{code}/phieu-kiem-soat").status_code == 403
    refused = Api(client, "ngoai").get(f"/dossiers/{code}/documents/result?format=docx")
    assert refused.status_code == 403


# --- PDF -----------------------------------------------------------------------------------------------------


def test_the_result_prints_to_pdf_with_its_code(app, client, tmp_path: Path):
    require_part(render_module.soffice_binary() is not None, "LibreOffice (Debian libreoffice-writer-nogui)")
    require_part(shutil.which("pdftotext") is not None, "poppler-utils")
    require_part(shutil.which("pdftoppm") is not None and shutil.which("zbarimg") is not None, "poppler, zbar-tools")
    code = new_dossier(client)
    resolve(client, code)
    (document,) = issued(app, code)
    login(client, "lanhdao")
    response = client.get(f"/ho-so/{code}/van-ban/result.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert document.verification_code in text
    assert "GIẤY PHÉP XÂY DỰNG" in text and APPLICANT["full_name"] in text  # diacritics survive the fonts
    # The printed QR code leads to the public check.
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    found = subprocess.run(
        ["zbarimg", "--raw", "-q", *map(str, sorted(tmp_path.glob("page*.png")))],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split()
    assert f"http://127.0.0.1:5000/xac-minh/{document.verification_code}" in found


def test_pdf_unavailable_is_a_503_with_a_message(client, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(render_module, "soffice_binary", lambda: None)
    code = new_dossier(client)
    login(client, "motcua")
    response = client.get(f"/ho-so/{code}/van-ban/mau-06.pdf")
    assert response.status_code == 503
    assert "chưa cài LibreOffice" in response.get_data(as_text=True)


# --- rate limit ------------------------------------------------------------------------------------------------


@pytest.fixture
def limited_client(sqlite_url):
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": "x", "LOOKUP_RATE_LIMIT": "3 per minute"}
    )
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def test_the_public_check_is_rate_limited(limited_client):
    answers = [limited_client.get("/xac-minh/ABCDEFGHJK").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    assert [limited_client.get("/api/v1/verify/ABCDEFGHJK").status_code for _ in range(4)] == [404, 404, 404, 429]
