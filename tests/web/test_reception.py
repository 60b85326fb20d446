"""Reception at the counter over the API: outcomes, counts, scans, bad input, the appointment."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from sqlalchemy import func, select

from engine.models import Attachment, Dossier, Task
from tests.factories import APPLICANT, PERMIT, Api
from webapp.extensions import db

PDF = b"%PDF-1.4\n%scan\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def multipart(api: Api, payload: dict, files: dict[str, tuple[bytes, str]]):
    data = {"payload": json.dumps(payload)}
    for field, (content, name) in files.items():
        data[field] = (io.BytesIO(content), name)
    return api.client.post("/api/v1/dossiers", headers=api.headers, data=data, content_type="multipart/form-data")


def permit_payload(api: Api, **overrides) -> dict:
    procedure = api.procedure(PERMIT)
    return {
        "procedure_code": PERMIT,
        "applicant": dict(APPLICANT),
        "components": [c["id"] for c in procedure["components"]],
        **overrides,
    }


def test_counts_and_extra_components_are_kept(client):
    api = Api(client, "motcua")
    first, *rest = api.procedure(PERMIT)["components"]
    components = [{"id": first["id"], "originals": 2, "photocopies": 3}, *[c["id"] for c in rest]]
    components.append({"name": "Ảnh hiện trạng công trình", "photocopies": 4})
    response = api.receive(components=components, sets_count=2, return_method="post")
    assert response.status_code == 201, response.json
    dossier = response.json
    assert (dossier["components"][0]["originals"], dossier["components"][0]["photocopies"]) == (2, 3)
    assert dossier["components"][-1] == {
        "name": "Ảnh hiện trạng công trình",
        "required": False,
        "extra": True,
        "submitted": True,
        "originals": 0,
        "certified_copies": 0,
        "photocopies": 4,
        "missing_reason": "",
    }
    assert (dossier["sets_count"], dossier["return_method"]) == (2, "post")


def test_supplement_request_waits_without_starting_the_workflow(app, client):
    api = Api(client, "motcua")
    components = api.procedure(PERMIT)["components"]
    response = api.receive(
        components=[components[0]["id"]],
        outcome="supplement",
        missing=[
            {"component": components[1]["id"], "reason": "Cần bản sao có chứng thực sổ đỏ"},
            {
                "component": "Bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng)",
                "reason": "Thiếu bản vẽ móng",
            },
        ],
    )
    assert response.status_code == 201, response.json
    dossier = response.json
    assert (dossier["status"], dossier["status_label"], dossier["due_at"]) == (5, "Yêu cầu bổ sung giấy tờ", None)
    reasons = [c["missing_reason"] for c in dossier["components"]]
    assert reasons[1:3] == ["Cần bản sao có chứng thực sổ đỏ", "Thiếu bản vẽ móng"]
    assert count(app, Task) == 0  # nobody is asked to act until the supplement comes


def test_supplemented_dossier_is_accepted_at_the_counter_page(app, client):
    from tests.web.test_ui import csrf_of, login

    api = Api(client, "motcua")
    components = api.procedure(PERMIT)["components"]
    code = api.receive(
        components=[components[0]["id"]],
        outcome="supplement",
        missing=[{"component": components[1]["id"], "reason": "Cần bản sao có chứng thực"}],
    ).json["code"]
    login(client, "motcua")
    page = client.get(f"/mot-cua/bo-sung/{code}").get_data(as_text=True)
    assert "Cần bản sao có chứng thực" in page
    rows = re.findall(r'name="components" value="(\d+)"', page)
    assert len(rows) == len(components)
    incomplete = client.post(f"/mot-cua/bo-sung/{code}", data={"csrf_token": csrf_of(page), "components": rows[:1]})
    assert incomplete.status_code == 422
    assert "Còn thiếu thành phần bắt buộc" in incomplete.get_data(as_text=True)
    done = client.post(
        f"/mot-cua/bo-sung/{code}",
        data={"csrf_token": csrf_of(page), "components": rows, "data.note": "Đã bổ sung"},
        follow_redirects=True,
    )
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in done.get_data(as_text=True)
    dossier = api.get(f"/dossiers/{code}").json
    assert dossier["status"] == 2 and dossier["due_at"] is not None
    assert Api(client, "truongphong").task_for(code)["title"] == "Phân công thụ lý"


def test_refusal_keeps_the_reason(client):
    api = Api(client, "motcua")
    response = api.receive(outcome="refuse", reason="Công trình thuộc khu vực đã có quy hoạch giải tỏa")
    assert response.status_code == 201
    assert (response.json["status"], response.json["refusal_reason"]) == (
        3,
        "Công trình thuộc khu vực đã có quy hoạch giải tỏa",
    )
    assert client.get(f"/api/v1/lookup/{response.json['code']}").json["status_label"] == "Không được tiếp nhận"


def test_refusal_and_supplement_need_their_reasons(client):
    api = Api(client, "motcua")
    assert api.receive(outcome="refuse").json["errors"] == {"reason": "Hãy ghi rõ lý do từ chối tiếp nhận."}
    assert api.receive(outcome="supplement").json["errors"] == {
        "missing": "Hãy ghi rõ thành phần cần bổ sung và lý do."
    }


def test_scans_are_stored_and_served_inline(app, client, tmp_path: Path):
    app.config["ATTACHMENTS_DIR"] = tmp_path / "scans"
    api = Api(client, "motcua")
    component = api.procedure(PERMIT)["components"][0]["id"]
    response = multipart(
        api, permit_payload(api), {f"attachment-{component}": (PDF, "đơn.pdf"), "attachment": (PNG, "ảnh.png")}
    )
    assert response.status_code == 201, response.json
    attachments = response.json["attachments"]
    assert [(a["filename"], a["content_type"]) for a in attachments] == [
        ("đơn.pdf", "application/pdf"),
        ("ảnh.png", "image/png"),
    ]

    from tests.web.test_ui import login

    login(client, "motcua")
    shown = client.get(f"/ho-so/{response.json['code']}/tep/{attachments[0]['id']}")
    assert shown.status_code == 200 and shown.data == PDF
    assert shown.headers["Content-Type"] == "application/pdf" and shown.headers["Content-Disposition"].startswith(
        "inline"
    )
    assert shown.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_that_only_claims_to_be_a_pdf_is_refused_and_nothing_is_kept(app, client, tmp_path: Path):
    app.config["ATTACHMENTS_DIR"] = tmp_path / "scans"
    api = Api(client, "motcua")
    before = (count(app, Dossier), count(app, Attachment))
    fake = b"MZ\x90\x00 this is a Windows program"
    response = multipart(
        api, permit_payload(api), {"attachment": (PDF, "ok.pdf"), "attachment-1": (fake, "giay-to.pdf")}
    )
    assert response.status_code == 422
    assert response.json["errors"] == {
        "attachments.1": "Tệp “giay-to.pdf” không phải PDF, JPEG hoặc PNG (nội dung tệp không khớp định dạng)."
    }
    assert (count(app, Dossier), count(app, Attachment)) == before
    assert not any((tmp_path / "scans").rglob("*.*"))


def test_a_file_over_the_limit_is_refused(app, client):
    app.config["MAX_ATTACHMENT_BYTES"] = 1024 * 1024
    api = Api(client, "motcua")
    response = multipart(api, permit_payload(api), {"attachment": (PDF + b"0" * 1024 * 1024, "big.pdf")})
    assert response.status_code == 422
    assert response.json["errors"] == {"attachments.0": "Tệp “big.pdf” lớn hơn giới hạn 1 MB."}


def test_a_reception_time_in_the_future_is_refused(client):
    response = Api(client, "motcua").receive(received_at="2099-01-01T08:00:00")
    assert response.json["errors"] == {"received_at": "Thời điểm tiếp nhận không được ở tương lai."}


def test_a_postal_dossier_keeps_its_reception_time_and_appointment(client):
    response = Api(client, "motcua").receive(received_at="2026-02-13T08:00:00", channel=3)
    assert response.status_code == 201, response.json
    dossier = response.json
    # 15 working days from Friday 13/2/2026 08:00, with Tết (16–20/2) skipped.
    assert dossier["received_at"] == "2026-02-13T08:00:00"
    assert dossier["due_at"] == "2026-03-13T08:00:00"
    assert dossier["code"].split("-")[1] == "260213"


def test_organisations_need_a_valid_tax_code(client):
    applicant = {
        **APPLICANT,
        "kind": "organisation",
        "organisation_name": "Công ty TNHH Xây dựng Phú Thịnh",
        "tax_code": "12345",
    }
    response = Api(client, "motcua").receive(applicant=applicant)
    assert response.json["errors"] == {
        "applicant.tax_code": "Mã số thuế gồm 10 chữ số (chi nhánh: 10 chữ số, dấu gạch ngang và 3 chữ số)."
    }
    applicant["tax_code"] = "0312345678"
    response = Api(client, "motcua").receive(applicant=applicant)
    assert response.status_code == 201
    assert response.json["applicant"]["organisation_name"] == "Công ty TNHH Xây dựng Phú Thịnh"


def test_procedure_search_ignores_accents_and_finds_codes(client):
    api = Api(client, "motcua")
    assert [p["code"] for p in api.get("/procedures?q=dang ky khai sinh").json] == ["1.001193"]
    assert [p["code"] for p in api.get("/procedures?q=2.0008").json] == ["2.000815"]
    assert {p["code"] for p in api.get("/procedures?q=GIAY PHEP xay dung").json} >= {PERMIT}
    assert api.get("/procedures?q=" + "x" * 5000).json == []


def test_appointment_api_applies_the_calendar(client):
    api = Api(client, "motcua")
    late = api.get("/appointment?procedure_code=1.001193&received_at=2026-03-02T15:10:00").json
    assert late["due_at"] == "2026-03-03T17:00:00"  # same-day procedure after 15:00: next working day
    friday = api.get(f"/appointment?procedure_code={PERMIT}&unit=000.00.01.H10&received_at=2026-02-13T16:30:00").json
    assert friday["counts_from"] == "2026-02-13T16:30:00"
    bad = api.get("/appointment?procedure_code=9.9&unit=XYZ&received_at=hôm qua")
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"received_at"}
    bad = api.get("/appointment?procedure_code=9.9&unit=XYZ")
    assert set(bad.json["errors"]) == {"procedure_code", "unit"}
