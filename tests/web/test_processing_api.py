"""Processing through the API: claim, assign, delegate, recall, rework, supplement, extend, stop, return."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from engine import clock
from tests.factories import PERMIT, Api, specialist_choice
from tests.web.test_reception import PNG
from tests.web.test_ui import login


def _assigned(client, name: str = "Trần Văn Bình") -> tuple[str, dict]:
    """A permit dossier received and assigned to ``name``; returns its code and the examine task."""
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task, name)}).status_code == 200
    return code, task


def _history(client, code: str) -> list[dict]:
    return Api(client, "lanhdao").get(f"/dossiers/{code}").json["history"]


def test_inbox_tabs_claim_and_release(client):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    leader = Api(client, "truongphong")
    pool = leader.get("/tasks?tab=pool").json
    assert [t["dossier_code"] for t in pool] == [code]
    assert leader.get("/tasks?tab=mine").json == []
    assert leader.get("/tasks/counts").json["pool"] == 1

    task_id = pool[0]["id"]
    claimed = leader.post(f"/tasks/{task_id}/claim", {})
    assert claimed.status_code == 200
    assert [t["id"] for t in leader.get("/tasks?tab=mine").json] == [task_id]
    # The assignment step has 8 working hours: it is due soon from the start.
    assert leader.get("/tasks/counts").json == {"mine": 1, "pool": 0, "all": 1, "soon": 1, "overdue": 0}
    # Someone who just lost the race is told so, and nothing changes.
    again = leader.post(f"/tasks/{task_id}/claim", {})
    assert again.status_code == 409

    assert leader.post(f"/tasks/{task_id}/release", {}).status_code == 200
    assert [t["id"] for t in leader.get("/tasks?tab=pool").json] == [task_id]
    actions = [h["action"] for h in _history(client, code)]
    assert actions == ["receive", "claim", "release"]
    # The public lookup shows the steps, not who took a task inside the agency.
    public = client.get(f"/api/v1/lookup/{code}").json
    assert [s["title"] for s in public["steps"]] == ["Tiếp nhận hồ sơ"]


def test_inbox_filters_are_checked(client):
    leader = Api(client, "truongphong")
    bad = leader.get("/tasks?tab=everything&received_from=31-31-2026")
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"tab", "received_from"}
    Api(client, "motcua").receive(PERMIT)
    today = clock.today().isoformat()
    assert len(leader.get(f"/tasks?received_from={today}&received_to={today}").json) == 1
    assert leader.get("/tasks?received_from=2020-01-01&received_to=2020-01-02").json == []
    assert leader.get("/tasks?due=overdue").json == []


def test_leader_reassigns_seeing_each_specialists_load(client):
    code, _ = _assigned(client)
    leader = Api(client, "truongphong")
    examine = Api(client, "chuyenvien").task_for(code)
    load = {c["full_name"]: c["open_tasks"] for c in leader.get(f"/tasks/{examine['id']}/candidates").json}
    assert load["Trần Văn Bình"] == 1 and load["Hoàng Thị Lan"] == 0
    lan = next(
        c["id"] for c in leader.get(f"/tasks/{examine['id']}/candidates").json if c["full_name"] == "Hoàng Thị Lan"
    )

    assert leader.post(f"/tasks/{examine['id']}/assign", {"user_id": lan, "note": "Chia lại việc"}).status_code == 200
    assert Api(client, "chuyenvien").task_for(code) is None
    assert Api(client, "chuyenvien2").task_for(code)["id"] == examine["id"]
    last = _history(client, code)[-1]
    assert (last["action"], last["to_person"], last["note"]) == ("assign", "Hoàng Thị Lan", "Chia lại việc")

    # A specialist cannot hand work around, and only people of the task's role and unit can receive it.
    refused = Api(client, "chuyenvien2").post(f"/tasks/{examine['id']}/assign", {"user_id": lan})
    assert refused.status_code == 403
    other_unit = leader.post(f"/tasks/{examine['id']}/assign", {"user_id": _user_id(client, "chuyenvien_tp")})
    assert other_unit.status_code == 422
    assert other_unit.json["errors"]["user_id"] == "Hãy chọn một chuyên viên đang làm việc tại đơn vị xử lý."


def test_delegation_hands_the_leaders_work_to_the_deputy_for_a_period(client):
    leader, deputy = Api(client, "truongphong"), Api(client, "phophong")
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    assert deputy.task_for(code) is None
    users = {c["full_name"]: c["id"] for c in leader.get(f"/tasks/{leader.task_for(code)['id']}/candidates").json}
    assert "Vũ Đức Thắng" not in users  # the deputy is no leader by role

    me = leader.get("/delegations").json
    assert me == []
    phophong_id = _user_id(client, "phophong")
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    created = leader.post("/delegations", {"deputy_id": phophong_id, "ends_at": tomorrow, "reason": "Đi công tác"})
    assert created.status_code == 201, created.json

    task = deputy.task_for(code)
    assert task is not None and task["title"] == "Phân công thụ lý"
    assert deputy.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    assert _history(client, code)[-1]["actor"] == "Vũ Đức Thắng, được ủy quyền bởi Lê Hoàng Cường"

    # Ended, the deputy sees the leader's work no more.
    assert leader.post(f"/delegations/{created.json['id']}/end", {}).status_code == 200
    code2 = Api(client, "motcua").receive(PERMIT).json["code"]
    assert deputy.task_for(code2) is None
    assert leader.task_for(code2) is not None


def test_delegation_refuses_oneself_another_unit_a_past_end_and_non_leaders(client):
    leader = Api(client, "truongphong")
    me, other = _user_id(client, "truongphong"), _user_id(client, "chuyenvien_tp")
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    assert (
        leader.post("/delegations", {"deputy_id": me, "ends_at": tomorrow})
        .json["errors"]["deputy_id"]
        .startswith("Không thể tự ủy quyền")
    )
    assert (
        "cùng đơn vị"
        in leader.post("/delegations", {"deputy_id": other, "ends_at": tomorrow}).json["errors"]["deputy_id"]
    )
    past = leader.post("/delegations", {"deputy_id": _user_id(client, "phophong"), "ends_at": "2020-01-01"})
    assert past.status_code == 422 and "ends_at" in past.json["errors"]
    assert Api(client, "chuyenvien").post("/delegations", {"deputy_id": me, "ends_at": tomorrow}).status_code == 403
    assert leader.get("/delegations").json == []


def test_recall_before_the_receiver_acts_and_not_after(client):
    code, _ = _assigned(client)
    leader = Api(client, "truongphong")
    examine = Api(client, "chuyenvien").task_for(code)
    # Only the forwarder recalls.
    assert Api(client, "chuyenvien2").post(f"/tasks/{examine['id']}/recall", {}).status_code == 403
    recalled = leader.post(f"/tasks/{examine['id']}/recall", {"note": "Giao nhầm người"})
    assert recalled.status_code == 200, recalled.json
    assert Api(client, "chuyenvien").task_for(code) is None
    again = leader.get("/tasks?tab=mine").json
    assert [t["title"] for t in again if t["dossier_code"] == code] == ["Phân công thụ lý"]
    assert _history(client, code)[-1]["action"] == "recall"

    # Reassigned to Lan, who completes: a recall now comes too late.
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task, "Hoàng Thị Lan")}).status_code == 200
    lan = Api(client, "chuyenvien2")
    examine = lan.task_for(code)
    assert lan.complete(examine["id"], {"proposal": "approve", "examination": "Đủ điều kiện"}).status_code == 200
    history_before = len(_history(client, code))
    late = leader.post(f"/tasks/{examine['id']}/recall", {})
    assert (late.status_code, late.json["error"]) == (409, "Không thể thu hồi: người nhận đã xử lý hồ sơ.")
    assert len(_history(client, code)) == history_before
    assert Api(client, "lanhdao").task_for(code)["title"] == "Phê duyệt, ký kết quả"


def test_rework_sends_the_dossier_back_to_the_previous_holder_with_a_reason(client):
    code, _ = _assigned(client)
    specialist = Api(client, "chuyenvien")
    examine = specialist.task_for(code)
    assert specialist.complete(examine["id"], {"proposal": "approve", "examination": "Đủ"}).status_code == 200
    director = Api(client, "lanhdao")
    approve = director.task_for(code)
    assert director.post(f"/tasks/{approve['id']}/rework", {}).status_code == 422  # a reason is required
    back = director.post(f"/tasks/{approve['id']}/rework", {"reason": "Thiếu thuyết minh kết cấu"})
    assert back.status_code == 200, back.json
    # The reply is the reopened step, open and back with the specialist who examined.
    assert (back.json["step"], back.json["closed"]) == ("task_examine", False)
    returned = specialist.task_for(code)
    assert returned["title"] == "Thẩm định hồ sơ" and returned["assignee_id"] == _user_id(client, "chuyenvien")
    last = _history(client, code)[-1]
    assert (last["action"], last["note"], last["to_person"]) == ("rework", "Thiếu thuyết minh kết cấu", "Trần Văn Bình")
    # The step runs again from where it was.
    assert specialist.complete(returned["id"], {"proposal": "approve", "examination": "Đã bổ sung"}).status_code == 200
    assert director.task_for(code) is not None


def test_comments_are_shared_by_the_people_working_on_the_dossier(client):
    code, _ = _assigned(client)
    assert (
        Api(client, "chuyenvien")
        .post(f"/dossiers/{code}/comments", {"body": "Cần xem lại ranh giới thửa đất"})
        .status_code
        == 201
    )
    assert Api(client, "chuyenvien").post(f"/dossiers/{code}/comments", {"body": "  "}).status_code == 422
    seen = Api(client, "truongphong").get(f"/dossiers/{code}/comments").json
    assert [(c["author"], c["body"]) for c in seen] == [("Trần Văn Bình", "Cần xem lại ranh giới thửa đất")]
    # Another department does not see the dossier at all.
    assert Api(client, "chuyenvien_tp").get(f"/dossiers/{code}/comments").status_code == 403


def test_supplement_pauses_the_clock_and_moves_the_due_date(client, app):
    code, _ = _assigned(client)
    specialist = Api(client, "chuyenvien")
    dossier = specialist.get(f"/dossiers/{code}").json
    due_before = dossier["due_at"]
    asked = specialist.post(
        f"/dossiers/{code}/supplement-request",
        {"items": [{"name": "Bản vẽ kết cấu móng", "reason": "Thiếu bản vẽ móng có chữ ký"}]},
    )
    assert asked.status_code == 200, asked.json
    assert asked.json["status"] == 5
    # Mẫu 02 lists what is asked for, with the reason.
    slip = specialist.get(f"/dossiers/{code}/documents/mau-02?format=docx")
    assert slip.status_code == 200
    assert "Thiếu bản vẽ móng có chữ ký" in _docx_text(slip.data)
    # While paused, the step cannot move on.
    examine = specialist.task_for(code)
    stuck = specialist.complete(examine["id"], {"proposal": "approve", "examination": "Đủ"})
    assert stuck.status_code == 409

    # The pause began a week ago; then the counter records the supplement.
    with app.app_context():
        from engine import clock
        from engine.models import Dossier
        from engine.services.calendars import unit_calendar
        from webapp.extensions import db

        row = db.session.query(Dossier).filter_by(code=code).one()
        row.paused_at = paused_at = row.paused_at - timedelta(days=7)
        db.session.commit()
        calendar = unit_calendar(db.session, row.receiving_unit_id)
        paused_hours = calendar.working_hours_between(paused_at, clock.now())
    assert Api(client, "chuyenvien").post(f"/dossiers/{code}/supplement", {}).status_code == 403
    done = Api(client, "motcua").post(f"/dossiers/{code}/supplement", {"note": "Công dân nộp bản vẽ móng"})
    assert done.status_code == 200, done.json
    assert done.json["status"] == 4
    # The appointment moved by the working time the pause lasted (at least four working days).
    moved = calendar.working_hours_between(
        datetime.fromisoformat(due_before), datetime.fromisoformat(done.json["due_at"])
    )
    assert paused_hours >= 32
    assert abs(moved - paused_hours) < 0.1
    assert specialist.complete(examine["id"], {"proposal": "approve", "examination": "Đủ"}).status_code == 200
    actions = [h["action"] for h in _history(client, code)]
    assert "supplement_request" in actions and "supplement_received" in actions


def test_extension_needs_a_future_working_day_and_is_counted(client):
    code, _ = _assigned(client)
    leader = Api(client, "truongphong")
    body = {"reason": "Chờ ý kiến cơ quan phối hợp", "unit_at_fault": "Sở Xây dựng"}
    assert leader.post(f"/dossiers/{code}/extensions", {**body, "new_due_date": "2020-01-02"}).status_code == 422
    assert (
        Api(client, "chuyenvien")
        .post(f"/dossiers/{code}/extensions", {**body, "new_due_date": "2099-01-02"})
        .status_code
        == 403
    )
    due = datetime.fromisoformat(leader.get(f"/dossiers/{code}").json["due_at"]).date()
    day = due + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    saturday = day + timedelta(days=(5 - day.weekday()))
    assert (
        "ngày nghỉ"
        in leader.post(f"/dossiers/{code}/extensions", {**body, "new_due_date": saturday.isoformat()}).json["errors"][
            "new_due_date"
        ]
    )
    ok = leader.post(f"/dossiers/{code}/extensions", {**body, "new_due_date": day.isoformat()})
    assert ok.status_code == 201, ok.json
    assert ok.json["extension_count"] == 1 and ok.json["due_at"].startswith(day.isoformat())


def test_stop_closes_every_open_step(client):
    code, _ = _assigned(client)
    assert Api(client, "chuyenvien").post(f"/dossiers/{code}/stop", {"reason": "Công dân rút hồ sơ"}).status_code == 403
    stopped = Api(client, "lanhdao").post(f"/dossiers/{code}/stop", {"reason": "Công dân rút hồ sơ"})
    assert stopped.status_code == 200 and stopped.json["status"] == 8
    assert Api(client, "chuyenvien").task_for(code) is None
    assert Api(client, "lanhdao").post(f"/dossiers/{code}/stop", {"reason": "lần nữa"}).status_code == 409


def test_the_counter_records_who_received_the_result(client):
    code, _ = _assigned(client)
    early = Api(client, "motcua").post(
        f"/dossiers/{code}/return", {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}
    )
    assert early.status_code == 409
    specialist, director = Api(client, "chuyenvien"), Api(client, "lanhdao")
    specialist.complete(specialist.task_for(code)["id"], {"proposal": "approve", "examination": "Đủ"})
    director.complete(director.task_for(code)["id"], {"decision": "approve"})
    bad = Api(client, "motcua").post(f"/dossiers/{code}/return", {"return_method": "counter"})
    assert bad.status_code == 422 and "receiver_name" in bad.json["errors"]
    done = Api(client, "motcua").post(
        f"/dossiers/{code}/return", {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}
    )
    assert done.status_code == 200 and done.json["status"] == 10
    dossier = Api(client, "motcua").get(f"/dossiers/{code}").json
    assert dossier["returned_at"] is not None
    last = dossier["history"][-1]
    assert (last["from_step"], last["to_person"], last["actor"]) == ("Trả kết quả", "Nguyễn Văn An", "Nguyễn Thị Mai")


def _user_id(client, username: str) -> int:
    with client.application.app_context():
        from engine.models import User
        from webapp.extensions import db

        return db.session.query(User).filter_by(username=username).one().id


def _docx_text(data: bytes) -> str:
    import io

    from docx import Document

    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_two_claims_at_once_one_wins(client, app):
    """Two requests claim the same task at the same moment: exactly one succeeds, nothing is lost."""
    import threading

    code = Api(client, "motcua").receive(PERMIT).json["code"]
    task_id = Api(client, "truongphong").task_for(code)["id"]
    headers = Api(client, "truongphong").headers
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def claim() -> None:
        with app.test_client() as own:
            barrier.wait()
            statuses.append(own.post(f"/api/v1/tasks/{task_id}/claim", headers=headers, json={}).status_code)

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    assert [h["action"] for h in _history(client, code)].count("claim") == 1


def test_extensions_are_counted_and_refused_once_late(client, app):
    code, _ = _assigned(client)
    leader = Api(client, "truongphong")
    body = {"reason": "Chờ ý kiến cơ quan phối hợp", "unit_at_fault": "Sở Xây dựng"}
    past = leader.post(f"/dossiers/{code}/extensions", {**body, "new_due_date": "2020-01-02"})
    assert past.json["errors"]["new_due_date"] == "Ngày hẹn trả mới phải ở tương lai."
    due = datetime.fromisoformat(leader.get(f"/dossiers/{code}").json["due_at"]).date()
    first, second = _working_day(due + timedelta(days=7)), _working_day(due + timedelta(days=14))
    assert leader.post(f"/dossiers/{code}/extensions", {**body, "new_due_date": second.isoformat()}).status_code == 201
    earlier = leader.post(f"/dossiers/{code}/extensions", {**body, "new_due_date": first.isoformat()})
    assert earlier.json["errors"]["new_due_date"] == "Ngày hẹn trả mới phải sau ngày hẹn hiện tại."
    again = leader.post(
        f"/dossiers/{code}/extensions", {**body, "new_due_date": _working_day(second + timedelta(days=7)).isoformat()}
    )
    assert (again.status_code, again.json["extension_count"]) == (201, 2)
    # Mẫu 04 of the second extension is there too.
    assert leader.get(f"/dossiers/{code}/documents/mau-04?format=docx&lan=2").status_code == 200

    with app.app_context():  # the appointment has passed: an apology with a new date comes too late
        from engine.models import Dossier
        from webapp.extensions import db

        row = db.session.query(Dossier).filter_by(code=code).one()
        row.due_at = datetime(2020, 1, 2, 17, 0)
        db.session.commit()
    late = leader.post(f"/dossiers/{code}/extensions", {**body, "new_due_date": "2099-01-02"})
    assert (late.status_code, late.json["error"]) == (
        409,
        "Hồ sơ đã quá hạn; văn bản xin lỗi và gia hạn phải gửi trước khi đến hạn.",
    )
    assert leader.get(f"/dossiers/{code}").json["due_at"].startswith("2020-01-02")  # nothing changed


def _working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_a_delegation_ends_by_itself(client, monkeypatch):
    leader, deputy = Api(client, "truongphong"), Api(client, "phophong")
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    assert (
        leader.post("/delegations", {"deputy_id": _user_id(client, "phophong"), "ends_at": tomorrow}).status_code == 201
    )
    task = deputy.task_for(code)
    assert task is not None

    later = clock.now() + timedelta(days=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert deputy.task_for(code) is None
    refused = deputy.complete(task["id"], {"specialist": specialist_choice(task)})
    assert refused.status_code == 403
    assert leader.task_for(code) is not None


def test_the_leaders_own_tasks_reach_the_deputy_and_stay_the_leaders(client):
    leader, deputy = Api(client, "truongphong"), Api(client, "phophong")
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    claimed = leader.post(f"/tasks/{leader.task_for(code)['id']}/claim", {}).json
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    delegation = leader.post("/delegations", {"deputy_id": _user_id(client, "phophong"), "ends_at": tomorrow}).json
    mine = deputy.get("/tasks?tab=mine").json
    assert [t["id"] for t in mine] == [claimed["id"]]
    # A pool task the deputy claims for the leader stays the leader's when the delegation ends.
    code2 = Api(client, "motcua").receive(PERMIT).json["code"]
    taken = deputy.post(f"/tasks/{deputy.task_for(code2)['id']}/claim", {}).json
    assert taken["assignee_id"] == _user_id(client, "truongphong")
    assert deputy.complete(claimed["id"], {"specialist": specialist_choice(mine[0])}).status_code == 200
    assert _history(client, code)[-1]["actor"] == "Vũ Đức Thắng, được ủy quyền bởi Lê Hoàng Cường"
    leader.post(f"/delegations/{delegation['id']}/end", {})
    assert deputy.task_for(code2) is None and leader.task_for(code2)["id"] == taken["id"]


def test_files_added_during_processing_are_checked_and_shown_inline(client):
    import io

    code, _ = _assigned(client)
    specialist = Api(client, "chuyenvien")

    def upload(api: Api, name: str, data: bytes):
        return client.post(
            f"/api/v1/dossiers/{code}/attachments",
            headers=api.headers,
            data={"attachment": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )

    fake = upload(specialist, "bien-ban.pdf", b"not a pdf at all")
    assert fake.status_code == 422 and "không phải" in next(iter(fake.json["errors"].values()))
    assert upload(Api(client, "chuyenvien2"), "anh.png", PNG).status_code == 403  # not holding the dossier
    assert upload(specialist, "anh-hien-trang.png", PNG).status_code == 201
    (added,) = [
        a for a in specialist.get(f"/dossiers/{code}").json["attachments"] if a["filename"] == "anh-hien-trang.png"
    ]
    assert _history(client, code)[-1]["action"] == "attach"

    login(client, "truongphong")
    shown = client.get(f"/ho-so/{code}/tep/{added['id']}")
    assert (shown.status_code, shown.mimetype, shown.data) == (200, "image/png", PNG)
    assert shown.headers["Content-Disposition"].startswith("inline")
    login(client, "chuyenvien_tp")  # another department does not see it
    assert client.get(f"/ho-so/{code}/tep/{added['id']}").status_code == 403


def test_a_stop_gives_mau_05_with_its_reason(client):
    code, _ = _assigned(client)
    director = Api(client, "lanhdao")
    assert director.get(f"/dossiers/{code}/documents/mau-05?format=docx").status_code == 404
    director.post(f"/dossiers/{code}/stop", {"reason": "Công dân có đơn xin rút hồ sơ"})
    notice = director.get(f"/dossiers/{code}/documents/mau-05?format=docx")
    assert notice.status_code == 200
    assert "Công dân có đơn xin rút hồ sơ" in _docx_text(notice.data)


def test_an_overdue_task_is_counted_filtered_and_flagged(client, app):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    with app.app_context():
        from engine.models import Dossier, Task
        from webapp.extensions import db

        dossier = db.session.query(Dossier).filter_by(code=code).one()
        task = db.session.query(Task).filter_by(dossier_id=dossier.id, closed_at=None).one()
        task.due_at = datetime(2020, 1, 2, 17, 0)
        db.session.commit()
    fresh = Api(client, "motcua").receive(PERMIT).json["code"]
    leader = Api(client, "truongphong")
    assert leader.get("/tasks/counts").json["overdue"] == 1
    assert [t["dossier_code"] for t in leader.get("/tasks?due=overdue").json] == [code]
    assert {t["dossier_code"]: t["due_state"] for t in leader.get("/tasks").json} == {code: "overdue", fresh: "soon"}
    login(client, "truongphong")
    page = client.get("/cong-viec").get_data(as_text=True)
    row = page[page.index(f">{code}<") :].split("</tr>")[0]
    assert '<span class="badge late">Quá hạn</span>' in row
