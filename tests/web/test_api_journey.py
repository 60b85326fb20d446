"""The API from reception to the returned result, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from tests.factories import APPLICANT, PERMIT, Api, run_permit_to_end, specialist_choice


def test_reception_gives_a_regulated_code_and_starts_the_workflow(client):
    counter = Api(client, "motcua")
    response = counter.receive()
    assert response.status_code == 201
    dossier = response.json
    assert re.fullmatch(r"000\.00\.01\.H10-\d{6}-0001", dossier["code"])
    assert (dossier["status"], dossier["status_label"]) == (2, "Được tiếp nhận")
    assert dossier["due_at"] > dossier["received_at"]
    # The next step waits in the department leader's inbox, with its form.
    task = Api(client, "truongphong").task_for(dossier["code"])
    assert task["title"] == "Phân công thụ lý"
    assert [f["name"] for f in task["form"]["fields"]] == ["specialist", "note"]
    assert {c["label"] for c in task["form"]["fields"][0]["choices"]} == {
        "Trần Văn Bình",
        "Hoàng Thị Lan",
        "Vũ Đức Thắng",
    }


def test_codes_count_up_within_the_day(client):
    counter = Api(client, "motcua")
    codes = [counter.receive().json["code"] for _ in range(3)]
    assert [c[-4:] for c in codes] == ["0001", "0002", "0003"]


def test_a_dossier_runs_to_the_returned_result_through_a_rejection(client):
    code = Api(client, "motcua").receive().json["code"]
    responses = run_permit_to_end(client, code, reject_times=1)
    assert all(r.status_code == 200 for r in responses), [r.json for r in responses]
    assert [r.json["dossier"]["status"] for r in responses] == [4, 4, 4, 4, 9, 10]
    assert responses[-1].json["next_tasks"] == []

    dossier = Api(client, "lanhdao").get(f"/dossiers/{code}").json
    assert dossier["status_label"] == "Đã trả kết quả"
    assert dossier["returned_at"] is not None
    steps = [(h["actor"], h["from_step"], h["to_step"]) for h in dossier["history"]]
    assert steps == [
        ("Nguyễn Thị Mai", "Tiếp nhận hồ sơ", "Phân công thụ lý"),
        ("Lê Hoàng Cường", "Phân công thụ lý", "Thẩm định hồ sơ"),
        ("Trần Văn Bình", "Thẩm định hồ sơ", "Phê duyệt, ký kết quả"),
        ("Phạm Minh Đức", "Phê duyệt, ký kết quả", "Thẩm định hồ sơ"),
        ("Trần Văn Bình", "Thẩm định hồ sơ", "Phê duyệt, ký kết quả"),
        ("Phạm Minh Đức", "Phê duyệt, ký kết quả", "Trả kết quả"),
        ("Nguyễn Thị Mai", "Trả kết quả", ""),
    ]
    assert dossier["history"][3]["note"] == "Bổ sung thuyết minh"


def test_assigned_examination_reaches_only_the_chosen_specialist(client):
    code = Api(client, "motcua").receive().json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task, "Hoàng Thị Lan")}).status_code == 200
    assert Api(client, "chuyenvien2").task_for(code)["title"] == "Thẩm định hồ sơ"
    assert Api(client, "chuyenvien").task_for(code) is None


def test_public_lookup_shows_status_and_steps_without_personal_data(client):
    code = Api(client, "motcua").receive().json["code"]
    run_permit_to_end(client, code)
    response = client.get(f"/api/v1/lookup/{code}")
    assert response.status_code == 200
    assert response.json["status_label"] == "Đã trả kết quả"
    assert [s["title"] for s in response.json["steps"]][:2] == ["Tiếp nhận hồ sơ", "Phân công thụ lý"]
    body = response.get_data(as_text=True)
    for private in (APPLICANT["full_name"], APPLICANT["id_number"], APPLICANT["phone"], "Nguyễn Thị Mai"):
        assert private not in body


def test_lookup_of_an_unknown_code_is_404(client):
    assert client.get("/api/v1/lookup/000.00.01.H10-200101-9999").status_code == 404
    assert client.get("/api/v1/lookup/not-a-code").json["error"].startswith("Mã hồ sơ không đúng định dạng")


def test_procedures_list_the_catalogue(client):
    procedures = Api(client, "motcua").get("/procedures").json
    by_code = {p["code"]: p for p in procedures}
    assert {"1.001193", "2.000815", PERMIT} <= set(by_code)
    assert by_code[PERMIT]["processing_time"] == "15 ngày làm việc"
    assert by_code["1.001193"]["field"] == "Hộ tịch"


def test_openapi_document_describes_the_calls(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert {"/tokens", "/procedures", "/dossiers", "/tasks", "/tasks/{id}/complete", "/lookup/{code}"} <= set(
        document["paths"]
    )


def test_listing_the_inbox_costs_the_same_queries_for_one_task_or_ten(app, client):
    from sqlalchemy import event

    from webapp.extensions import db

    counter, leader = Api(client, "motcua"), Api(client, "truongphong")

    def statements_for_inbox() -> int:
        seen: list[str] = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731 - before_cursor_execute(conn, cursor, sql, …)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            tasks = leader.get("/tasks").json
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert all(t["form"]["fields"][0]["choices"] for t in tasks)
        return len(seen)

    counter.receive()
    one = statements_for_inbox()
    for _ in range(9):
        counter.receive()
    assert len(leader.get("/tasks").json) == 10
    assert statements_for_inbox() == one


def test_every_api_route_is_in_the_openapi_document(app, client):
    documented = client.get("/api/v1/openapi.json").json["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        path = rule.rule.removeprefix("/api/v1")
        path = path.replace("<path:", "<").replace("<int:", "<").replace("<", "{").replace(">", "}")
        methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
        documented_path = documented.get(path) or next(
            (v for k, v in documented.items() if k.count("{") == path.count("{") and _same_shape(k, path)), None
        )
        if documented_path is None or not methods <= set(documented_path):
            missing.append(f"{sorted(methods)} {path}")
    assert missing == []


def _same_shape(a: str, b: str) -> bool:
    parts_a, parts_b = a.split("/"), b.split("/")
    return len(parts_a) == len(parts_b) and all(
        x == y or (x.startswith("{") and y.startswith("{")) for x, y in zip(parts_a, parts_b, strict=True)
    )
