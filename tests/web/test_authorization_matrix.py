"""Who may do what, through the API: every role against every processing action.

For each action a dossier is brought to the stage the action needs; everyone
not allowed is refused with 403 and the dossier does not change; each allowed
person then succeeds on a fresh dossier.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from engine import clock
from tests.factories import PERMIT, Api, specialist_choice

EVERYONE = (
    "motcua", "chuyenvien", "chuyenvien2", "phophong", "truongphong", "lanhdao",
    "thietke", "quantri", "chuyenvien_tp", "truongphong_tp",
)  # fmt: skip


def at_assign(client) -> str:
    return Api(client, "motcua").receive(PERMIT).json["code"]


def at_examine(client) -> str:
    code = at_assign(client)
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    return code


def at_approve(client) -> str:
    code = at_examine(client)
    specialist = Api(client, "chuyenvien")
    assert (
        specialist.complete(specialist.task_for(code)["id"], {"proposal": "approve", "examination": "Đủ"}).status_code
        == 200
    )
    return code


def at_return(client) -> str:
    code = at_approve(client)
    director = Api(client, "lanhdao")
    assert director.complete(director.task_for(code)["id"], {"decision": "approve"}).status_code == 200
    return code


def paused(client) -> str:
    code = at_examine(client)
    asked = Api(client, "chuyenvien").post(
        f"/dossiers/{code}/supplement-request", {"items": [{"name": "Bản vẽ móng", "reason": "Thiếu"}]}
    )
    assert asked.status_code == 200
    return code


def open_task(client, code: str, username: str = "lanhdao") -> str:
    """The id of the dossier's open task, read by someone who sees it (from the database)."""
    with client.application.app_context():
        from engine.models import Dossier, Task
        from webapp.extensions import db

        dossier = db.session.query(Dossier).filter_by(code=code).one()
        return db.session.query(Task).filter_by(dossier_id=dossier.id, closed_at=None).one().id


def user_id(client, username: str) -> int:
    with client.application.app_context():
        from engine.models import User
        from webapp.extensions import db

        return db.session.query(User).filter_by(username=username).one().id


Action = Callable[[Any, Api, str], Any]
TOMORROW = (clock.today() + timedelta(days=1)).isoformat()

# The staff of the units that hold a permit dossier: its counter, its department, the agency.
VIEWERS = {"motcua", "chuyenvien", "chuyenvien2", "phophong", "truongphong", "lanhdao", "thietke", "quantri"}

# name: (stage, who may, the call)
MATRIX: dict[str, tuple[Callable[[Any], str], set[str], Action]] = {
    "view": (at_examine, VIEWERS, lambda c, api, code: api.get(f"/dossiers/{code}")),
    "claim": (at_assign, {"truongphong"}, lambda c, api, code: api.post(f"/tasks/{open_task(c, code)}/claim", {})),
    "complete_examine": (at_examine, {"chuyenvien"}, lambda c, api, code: api.complete(
        open_task(c, code), {"proposal": "approve", "examination": "Đủ"})),
    "approve": (at_approve, {"lanhdao"}, lambda c, api, code: api.complete(
        open_task(c, code), {"decision": "approve"})),
    "assign": (at_examine, {"truongphong", "lanhdao"}, lambda c, api, code: api.post(
        f"/tasks/{open_task(c, code)}/assign", {"user_id": user_id(c, "chuyenvien2")})),
    "recall": (at_examine, {"truongphong"}, lambda c, api, code: api.post(f"/tasks/{open_task(c, code)}/recall", {})),
    "rework": (at_approve, {"lanhdao"}, lambda c, api, code: api.post(
        f"/tasks/{open_task(c, code)}/rework", {"reason": "Chưa đạt"})),
    "comment": (at_examine, VIEWERS, lambda c, api, code: api.post(f"/dossiers/{code}/comments", {"body": "Ý kiến"})),
    "request_supplement": (at_examine, {"chuyenvien"}, lambda c, api, code: api.post(
        f"/dossiers/{code}/supplement-request", {"items": [{"name": "Bản vẽ", "reason": "Thiếu"}]})),
    "record_supplement": (paused, {"motcua"}, lambda c, api, code: api.post(f"/dossiers/{code}/supplement", {})),
    "extend": (at_examine, {"truongphong", "lanhdao"}, lambda c, api, code: api.post(
        f"/dossiers/{code}/extensions",
        {"reason": "Chờ phối hợp", "unit_at_fault": "Sở Xây dựng", "new_due_date": _working_day_after(30)})),
    "stop": (at_examine, {"truongphong", "lanhdao"}, lambda c, api, code: api.post(
        f"/dossiers/{code}/stop", {"reason": "Công dân rút hồ sơ"})),
    "return_result": (at_return, {"motcua"}, lambda c, api, code: api.post(
        f"/dossiers/{code}/return", {"receiver_name": "Nguyễn Văn An", "return_method": "counter"})),
    "delegate": (at_assign, {"truongphong", "lanhdao", "truongphong_tp"}, lambda c, api, code: api.post(
        "/delegations", {"deputy_id": _same_unit_deputy(c, api), "ends_at": TOMORROW})),
}  # fmt: skip


def _working_day_after(days: int) -> str:
    day = clock.today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def _same_unit_deputy(client, api: Api) -> int:
    """Someone of the caller's own unit (so only the caller's role decides)."""
    with client.application.app_context():
        from engine.models import User
        from webapp.extensions import db

        me = db.session.query(User).filter_by(username=api.username).one()
        colleague = db.session.query(User).filter(User.unit_id == me.unit_id, User.id != me.id).first()
        return (colleague or db.session.query(User).filter(User.id != me.id).first()).id


def _snapshot(client, code: str) -> tuple:
    with client.application.app_context():
        from engine.models import Dossier, HistoryEvent, Task
        from webapp.extensions import db

        dossier = db.session.query(Dossier).filter_by(code=code).one()
        tasks = sorted(
            (t.id, t.assignee_id, t.closed_at) for t in db.session.query(Task).filter_by(dossier_id=dossier.id)
        )
        events = db.session.query(HistoryEvent).filter_by(dossier_id=dossier.id).count()
        return dossier.status, dossier.version, dossier.due_at, tuple(tasks), events


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_each_role_against_each_action(client, action: str):
    stage, allowed, call = MATRIX[action]
    code = stage(client)
    before = _snapshot(client, code)
    for username in EVERYONE:
        if username in allowed:
            continue
        api = Api(client, username)
        response = call(client, api, code)
        assert response.status_code == 403, (action, username, response.status_code, response.json)
        assert response.json.get("error")
    assert _snapshot(client, code) == before, f"{action}: a refused call changed the dossier"
    for username in sorted(allowed):
        code = stage(client) if action not in ("view",) else code
        api = Api(client, username)
        response = call(client, api, code)
        assert response.status_code in (200, 201), (action, username, response.status_code, response.json)
