"""Bad input, wrong people and stale actions get a clear 4xx answer, and nothing is written."""

from __future__ import annotations

import threading

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from engine.models import Dossier, HistoryEvent, Task
from tests.factories import PERMIT, Api, specialist_choice
from webapp.extensions import db


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_calls_without_a_token_are_401(client):
    response = client.get("/api/v1/tasks")
    assert response.status_code == 401
    assert response.json["error"].startswith("Thiếu mã truy cập")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_forged_token_is_401(client):
    forged = URLSafeTimedSerializer("guessed-secret", salt="motcua-api-token").dumps({"u": 1, "g": 0})
    response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {forged}"})
    assert (response.status_code, response.json["error"]) == (401, "Mã truy cập không hợp lệ.")


def test_expired_token_is_401(app, client):
    api = Api(client, "motcua")
    app.config["API_TOKEN_MAX_AGE"] = -1
    response = api.get("/tasks")
    assert (response.status_code, response.json["error"]) == (401, "Mã truy cập đã hết hạn, vui lòng đăng nhập lại.")


def test_wrong_password_gives_no_token(client):
    response = client.post("/api/v1/tokens", json={"username": "motcua", "password": "wrong"})
    assert (response.status_code, response.json["error"]) == (401, "Tên đăng nhập hoặc mật khẩu không đúng.")


def test_malformed_json_is_400(client):
    api = Api(client, "motcua")
    response = client.post(
        "/api/v1/dossiers", headers={**api.headers, "Content-Type": "application/json"}, data="{oops"
    )
    assert (response.status_code, response.json["error"]) == (400, "Nội dung gửi lên không phải JSON hợp lệ.")
    response = api.post("/dossiers", ["a", "list"])
    assert response.status_code == 400


def test_bad_applicant_fields_are_named_and_nothing_is_written(app, client):
    before = count(app, Dossier)
    response = Api(client, "motcua").receive(
        applicant={"full_name": "", "id_number": "12345", "phone": "abc", "address": "Hà Nội", "email": "x@"}
    )
    assert response.status_code == 422
    assert response.json["errors"] == {
        "applicant.full_name": "Họ và tên phải từ 2 đến 255 ký tự.",
        "applicant.id_number": "Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số.",
        "applicant.phone": "Số điện thoại không hợp lệ (ví dụ 0912345678).",
        "applicant.email": "Địa chỉ email không hợp lệ.",
    }
    assert count(app, Dossier) == before


def test_wrongly_typed_fields_are_422(client):
    response = Api(client, "motcua").receive(components="all", applicant=["x"])
    assert response.status_code == 422
    assert response.json["errors"] == {
        "components": "Danh sách thành phần hồ sơ không hợp lệ.",
        "applicant": "Thông tin người nộp phải là một đối tượng.",
    }


def test_unknown_procedure_is_422_and_nothing_is_written(app, client):
    before = (count(app, Dossier), count(app, Task))
    body = {
        "procedure_code": "9.999999",
        "applicant": {"full_name": "Nguyễn Văn An", "id_number": "001088012345", "address": "Hà Nội"},
    }
    response = Api(client, "motcua").post("/dossiers", body)
    assert (response.status_code, response.json["errors"]) == (
        422,
        {"procedure_code": "Không tìm thấy thủ tục có mã “9.999999”."},
    )
    assert (count(app, Dossier), count(app, Task)) == before


def test_missing_required_component_is_refused(client):
    api = Api(client, "motcua")
    first = api.procedure(PERMIT)["components"][0]
    response = api.receive(components=[first["id"]])
    assert response.status_code == 422
    assert response.json["errors"]["components"].startswith(
        "Còn thiếu thành phần bắt buộc: Giấy tờ chứng minh quyền sử dụng đất"
    )


def test_only_counter_officers_receive(client):
    response = Api(client, "chuyenvien").receive()
    assert (response.status_code, response.json["error"]) == (
        403,
        "Chỉ cán bộ bộ phận một cửa mới được tiếp nhận hồ sơ.",
    )


def test_someone_elses_task_is_403_and_the_task_stays_open(client):
    code = Api(client, "motcua").receive().json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    data = {"specialist": specialist_choice(task)}
    for intruder in ("chuyenvien", "motcua", "lanhdao", "truongphong_tp"):
        response = Api(client, intruder).complete(task["id"], data)
        assert response.status_code == 403, intruder
    assert leader.complete(task["id"], data).status_code == 200


def test_unknown_task_is_404(client):
    response = Api(client, "truongphong").complete("00000000-0000-0000-0000-000000000000", {})
    assert response.status_code == 404


def test_bad_form_data_is_422_per_field_and_the_task_stays_open(app, client):
    code = Api(client, "motcua").receive().json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    events = count(app, HistoryEvent)
    response = leader.complete(task["id"], {"specialist": "999", "extra": 1})
    assert response.status_code == 422
    assert response.json["errors"]["extra"] == "Trường này không có trong biểu mẫu."
    response = leader.complete(task["id"], {"specialist": "999"})
    assert response.json["errors"] == {"specialist": "Giá trị chọn cho “Chuyên viên thụ lý” không hợp lệ."}
    response = leader.complete(task["id"], {})
    assert response.json["errors"] == {"specialist": "Vui lòng nhập “Chuyên viên thụ lý”."}
    assert count(app, HistoryEvent) == events
    assert leader.task_for(code)["id"] == task["id"]


def test_second_completion_of_same_task_is_409(client):
    code = Api(client, "motcua").receive().json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    data = {"specialist": specialist_choice(task)}
    assert leader.complete(task["id"], data).status_code == 200
    response = leader.complete(task["id"], data)
    assert response.status_code == 409
    assert response.json["error"].startswith("Công việc này đã được xử lý")


def test_two_people_completing_the_same_task_at_once_one_wins(app, client):
    code = Api(client, "motcua").receive().json["code"]
    # Two specialists of the unit could both act on an unassigned task: use the leader's task twice.
    leader_a, leader_b = Api(app.test_client(), "truongphong"), Api(app.test_client(), "truongphong")
    task = leader_a.task_for(code)
    choices = [specialist_choice(task, "Trần Văn Bình"), specialist_choice(task, "Hoàng Thị Lan")]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def act(api: Api, choice: str) -> None:
        barrier.wait()
        results.append(api.complete(task["id"], {"specialist": choice}).status_code)

    threads = [
        threading.Thread(target=act, args=(api, c)) for api, c in zip((leader_a, leader_b), choices, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    dossier = Api(client, "lanhdao").get(f"/dossiers/{code}").json
    assert len([h for h in dossier["history"] if h["from_step"] == "Phân công thụ lý"]) == 1
    # Exactly one examination task exists, for whichever specialist won.
    assert [Api(client, u).task_for(code) is not None for u in ("chuyenvien", "chuyenvien2")].count(True) == 1
