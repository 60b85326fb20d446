"""A citizen's own dossiers, the public lookup's second factor, the online result and the rating."""

from __future__ import annotations

from sqlalchemy import select

from engine.models import SatisfactionRating
from tests.factories import APPLICANT, PERMIT, Api
from tests.web.citizen_steps import RATING, citizen_login, give_to, new_account, post_form, receive, resolve_birth
from tests.web.test_result_documents import docx_text
from webapp.extensions import db

PRIVATE = (APPLICANT["full_name"], APPLICANT["id_number"], APPLICANT["phone"], APPLICANT["address"])


def test_a_citizen_sees_only_their_own_dossiers_and_another_code_is_not_found(app, client):
    mine, theirs = receive(client), receive(client, PERMIT)
    me = new_account(app)
    other = new_account(app, email="khac@example.vn")
    give_to(app, mine, me)
    give_to(app, theirs, other)
    citizen_login(client)
    page = client.get("/cong-dan/ho-so").get_data(as_text=True)
    assert mine in page and theirs not in page
    assert "Đăng ký khai sinh" in page and "4 · Đang xử lý" in page
    details = client.get(f"/cong-dan/ho-so/{mine}")
    html = details.get_data(as_text=True)
    assert details.status_code == 200
    assert APPLICANT["full_name"] in html and APPLICANT["address"] in html and "Ngày hẹn trả kết quả" in html
    assert "Giấy chứng sinh" in html
    refused = client.get(f"/cong-dan/ho-so/{theirs}")
    assert refused.status_code == 404
    assert APPLICANT["full_name"] not in refused.get_data(as_text=True)


def test_a_citizen_downloads_the_receipt_of_their_own_dossier_only(app, client):
    mine, theirs = receive(client), receive(client, PERMIT)
    give_to(app, mine, new_account(app))
    give_to(app, theirs, new_account(app, email="khac@example.vn"))
    citizen_login(client)
    assert f"/cong-dan/ho-so/{mine}/giay-tiep-nhan.docx" in client.get(f"/cong-dan/ho-so/{mine}").get_data(as_text=True)
    receipt = client.get(f"/cong-dan/ho-so/{mine}/giay-tiep-nhan.docx")
    assert receipt.status_code == 200
    text = docx_text(receipt.data)
    assert mine in text and APPLICANT["full_name"] in text and "Đăng ký khai sinh" in text
    assert client.get(f"/cong-dan/ho-so/{theirs}/giay-tiep-nhan.docx").status_code == 404


def test_a_counter_dossier_is_added_to_the_account_with_the_applicants_phone_or_id_number(app, client):
    code = receive(client)
    new_account(app)
    citizen_login(client)
    wrong = post_form(client, "/cong-dan/ho-so", {"code": code, "factor": "0999999999"}, "/cong-dan/ho-so/them")
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 403 and "Thông tin xác minh không khớp" in html
    assert f'value="{code}"' in html  # what was typed stays
    assert code not in client.get("/cong-dan/ho-so").get_data(as_text=True).split("Thêm hồ sơ đã nộp tại quầy")[0]
    added = post_form(client, "/cong-dan/ho-so", {"code": code, "factor": "0912 345 678"}, "/cong-dan/ho-so/them")
    assert added.status_code == 302 and added.headers["Location"].endswith(f"/cong-dan/ho-so/{code}")
    assert client.get(f"/cong-dan/ho-so/{code}").status_code == 200
    twice = post_form(
        client, "/cong-dan/ho-so", {"code": code, "factor": APPLICANT["id_number"]}, "/cong-dan/ho-so/them"
    )
    assert twice.status_code == 409 and "đã có trong tài khoản" in twice.get_data(as_text=True)

    new_account(app, email="khac@example.vn")
    stranger = app.test_client()
    citizen_login(stranger, "khac@example.vn")
    taken = post_form(
        stranger, "/cong-dan/ho-so", {"code": code, "factor": APPLICANT["id_number"]}, "/cong-dan/ho-so/them"
    )
    assert taken.status_code == 409 and "đã gắn với một tài khoản khác" in taken.get_data(as_text=True)


def test_the_public_lookup_shows_no_personal_data_without_the_second_factor(client):
    code = receive(client)
    page = client.get(f"/tra-cuu/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Đăng ký khai sinh" in html and "Xem chi tiết hồ sơ" in html
    for private in PRIVATE:
        assert private not in html

    wrong = post_form(client, f"/tra-cuu/{code}", {"factor": "001088099999"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 403 and "Thông tin xác minh không khớp" in html
    for private in PRIVATE:
        assert private not in html

    right = post_form(client, f"/tra-cuu/{code}", {"factor": APPLICANT["id_number"]})
    html = right.get_data(as_text=True)
    assert right.status_code == 200
    assert APPLICANT["full_name"] in html and APPLICANT["address"] in html
    assert "Ngày hẹn trả kết quả" in html and "Tờ khai đăng ký khai sinh" in html
    by_phone = post_form(client, f"/tra-cuu/{code}", {"factor": "+84912345678"})
    assert by_phone.status_code == 200 and APPLICANT["full_name"] in by_phone.get_data(as_text=True)


def test_the_result_of_an_own_fully_online_dossier_is_downloaded_with_its_verification_code(app, client):
    code = receive(client)
    me = new_account(app)
    give_to(app, code, me)
    citizen_login(client)
    early = client.get(f"/cong-dan/ho-so/{code}/ket-qua.docx")
    assert early.status_code == 409 and "Hồ sơ chưa có kết quả" in early.get_data(as_text=True)
    resolve_birth(client, code)
    page = client.get(f"/cong-dan/ho-so/{code}").get_data(as_text=True)
    assert "Tải văn bản kết quả" in page
    verification = page.split('id="verification-code">')[1].split("<")[0]
    assert f"/xac-minh/{verification}" in page
    response = client.get(f"/cong-dan/ho-so/{code}/ket-qua.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="ket-qua_{code}.docx"'
    text = docx_text(response.data)
    assert "TRÍCH LỤC KHAI SINH" in text and f"Mã xác minh: {verification}" in text

    stranger = app.test_client()
    new_account(app, email="khac@example.vn")
    citizen_login(stranger, "khac@example.vn")
    assert stranger.get(f"/cong-dan/ho-so/{code}/ket-qua.docx").status_code == 404
    assert app.test_client().get(f"/cong-dan/ho-so/{code}/ket-qua.docx").status_code == 302  # to the login


def test_a_partly_online_procedure_gives_no_download(app, client):
    code = receive(client, PERMIT)
    give_to(app, code, new_account(app))
    citizen_login(client)
    response = client.get(f"/cong-dan/ho-so/{code}/ket-qua.docx")
    assert response.status_code == 403 and "không trả kết quả trực tuyến" in response.get_data(as_text=True)


def test_the_rating_is_given_once_after_the_result_and_refused_before(app, client):
    code = receive(client)
    give_to(app, code, new_account(app))
    citizen_login(client)
    page = f"/cong-dan/ho-so/{code}"
    assert "Ông/Bà có thể đánh giá khi hồ sơ đã xử lý xong." in client.get(page).get_data(as_text=True)
    early = post_form(client, page, RATING, f"{page}/danh-gia")
    assert early.status_code == 409 and "Chỉ đánh giá được khi hồ sơ đã xử lý xong" in early.get_data(as_text=True)
    resolve_birth(client, code)

    incomplete = post_form(client, page, {**RATING, "attitude": "", "contacts_count": "0"}, f"{page}/danh-gia")
    html = incomplete.get_data(as_text=True)
    assert incomplete.status_code == 422
    assert "Vui lòng chọn một mức: Rất hài lòng, Hài lòng, Chấp nhận được, Không hài lòng." in html
    assert "nhập một số từ 1 đến 20" in html and "Cán bộ hướng dẫn tận tình." in html  # the comment is kept

    done = post_form(client, page, RATING, f"{page}/danh-gia")
    assert done.status_code == 302
    after = client.get(page).get_data(as_text=True)
    assert "Ông/Bà đã đánh giá hồ sơ này" in after and "Rất hài lòng" in after
    again = post_form(client, page, RATING, f"{page}/danh-gia")
    assert again.status_code == 409 and "Mỗi hồ sơ chỉ được đánh giá một lần." in again.get_data(as_text=True)
    with app.app_context():
        (rating,) = db.session.scalars(select(SatisfactionRating)).all()
        assert (rating.overall, rating.transparency, rating.channel) == (4, 3, "account")


def test_a_counter_dossier_without_account_is_rated_from_the_lookup_with_the_second_factor(app, client):
    code = receive(client)
    resolve_birth(client, code)
    shown = post_form(client, f"/tra-cuu/{code}", {"factor": APPLICANT["phone"]})
    assert "Đánh giá mức độ hài lòng" in shown.get_data(as_text=True)
    wrong = post_form(client, f"/tra-cuu/{code}", {**RATING, "factor": "0900000000"}, f"/tra-cuu/{code}/danh-gia")
    assert wrong.status_code == 403
    done = post_form(client, f"/tra-cuu/{code}", {**RATING, "factor": APPLICANT["phone"]}, f"/tra-cuu/{code}/danh-gia")
    assert done.status_code == 200 and "Cảm ơn Ông/Bà đã đánh giá" in done.get_data(as_text=True)
    again = post_form(client, f"/tra-cuu/{code}", {**RATING, "factor": APPLICANT["phone"]}, f"/tra-cuu/{code}/danh-gia")
    assert again.status_code == 409
    with app.app_context():
        assert db.session.scalars(select(SatisfactionRating.channel)).all() == ["lookup"]


def test_a_dossier_of_an_account_is_rated_from_that_account_only(app, client):
    code = receive(client)
    give_to(app, code, new_account(app))
    resolve_birth(client, code)
    attempt = post_form(
        client, f"/tra-cuu/{code}", {**RATING, "factor": APPLICANT["phone"]}, f"/tra-cuu/{code}/danh-gia"
    )
    assert attempt.status_code == 409 and "vui lòng đăng nhập tài khoản đó" in attempt.get_data(as_text=True)
    assert Api(client, "motcua").get(f"/dossiers/{code}").json["status"] == 9


def test_leaders_see_the_satisfaction_summary_and_others_do_not(app, client):
    from tests.web.test_ui import login

    code = receive(client)
    resolve_birth(client, code)
    post_form(client, f"/tra-cuu/{code}", {**RATING, "factor": APPLICANT["phone"]}, f"/tra-cuu/{code}/danh-gia")
    login(client, "motcua")
    assert client.get("/danh-gia-hai-long").status_code == 403
    login(client, "lanhdao")
    html = client.get("/danh-gia-hai-long").get_data(as_text=True)
    assert '<dd id="count">1</dd>' in html and "100.0%" in html
