"""Small builders for test data and API calls."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

APPLICANT = {
    "full_name": "Nguyễn Văn An",
    "id_number": "001088012345",
    "phone": "0912345678",
    "email": "an.nguyen@example.com",
    "address": "Số 5 đường Hùng Vương, phường Tân Phú, tỉnh Bình Phước",
}
PERMIT = "1.009994"  # the five-step procedure with the rejection loop


_TOKENS: dict[tuple[str, str, str], str] = {}


class Api:
    """A JSON client logged in as one demo user."""

    def __init__(self, client: FlaskClient, username: str, password: str = "demo") -> None:
        self.client = client
        self.username = username
        # One login per user and database: checking a password hash is slow on purpose.
        key = (client.application.config["SQLALCHEMY_DATABASE_URI"], username, password)
        if key not in _TOKENS:
            response = client.post("/api/v1/tokens", json={"username": username, "password": password})
            assert response.status_code == 201, response.json
            _TOKENS[key] = response.json["token"]
        self.headers = {"Authorization": f"Bearer {_TOKENS[key]}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/v1{path}", headers=self.headers, json=body)

    def procedure(self, code: str) -> dict[str, Any]:
        return next(p for p in self.get("/procedures").json if p["code"] == code)

    def receive(self, code: str = PERMIT, **overrides: Any) -> Any:
        procedure = self.procedure(code)
        body = {
            "procedure_code": code,
            "applicant": dict(APPLICANT),
            "components": [c["id"] for c in procedure["components"]],
            **overrides,
        }
        return self.post("/dossiers", body)

    def task_for(self, dossier_code: str) -> dict[str, Any] | None:
        return next((t for t in self.get("/tasks").json if t["dossier_code"] == dossier_code), None)

    def complete(self, task_id: str, data: dict[str, Any]) -> Any:
        return self.post(f"/tasks/{task_id}/complete", {"data": data})


def specialist_choice(task: dict[str, Any], full_name: str = "Trần Văn Bình") -> str:
    field = next(f for f in task["form"]["fields"] if f["name"] == "specialist")
    return next(c["value"] for c in field["choices"] if c["label"] == full_name)


def run_permit_to_end(client: FlaskClient, dossier_code: str, reject_times: int = 0) -> list[Any]:
    """Walk a permit dossier from assignment to returned result; returns each completion's response."""
    responses = []
    leader = Api(client, "truongphong")
    task = leader.task_for(dossier_code)
    assert task is not None
    responses.append(leader.complete(task["id"], {"specialist": specialist_choice(task)}))
    specialist, director = Api(client, "chuyenvien"), Api(client, "lanhdao")
    for round_ in range(reject_times + 1):
        task = specialist.task_for(dossier_code)
        assert task is not None
        responses.append(
            specialist.complete(task["id"], {"proposal": "approve", "examination": f"Đủ điều kiện, lần {round_ + 1}"})
        )
        task = director.task_for(dossier_code)
        assert task is not None
        decision = "reject" if round_ < reject_times else "approve"
        responses.append(
            director.complete(
                task["id"], {"decision": decision, "note": "Bổ sung thuyết minh" if decision == "reject" else ""}
            )
        )
    counter = Api(client, "motcua")
    task = counter.task_for(dossier_code)
    assert task is not None
    responses.append(counter.complete(task["id"], {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}))
    return responses


def with_step_after_examination(xml: str, step_id: str, name: str, hours: int) -> str:
    """The permit diagram with one more specialist step between examination and approval."""
    task = f"""<bpmn:userTask id="{step_id}" name="{name}">
      <bpmn:extensionElements>
        <spiff:properties>
          <spiff:property name="form" value="examine" />
          <spiff:property name="status" value="4" />
          <spiff:property name="allotted_hours" value="{hours}" />
        </spiff:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_examine_approve</bpmn:incoming>
      <bpmn:outgoing>flow_check_approve</bpmn:outgoing>
    </bpmn:userTask>
    """
    xml = xml.replace(
        '<bpmn:sequenceFlow id="flow_examine_approve" sourceRef="task_examine" targetRef="task_approve" />',
        f'<bpmn:sequenceFlow id="flow_examine_approve" sourceRef="task_examine" targetRef="{step_id}" />\n'
        f'    <bpmn:sequenceFlow id="flow_check_approve" sourceRef="{step_id}" targetRef="task_approve" />',
    )
    xml = xml.replace(
        "<bpmn:incoming>flow_examine_approve</bpmn:incoming>\n      <bpmn:outgoing>flow_approve_gw</bpmn:outgoing>",
        "<bpmn:incoming>flow_check_approve</bpmn:incoming>\n      <bpmn:outgoing>flow_approve_gw</bpmn:outgoing>",
    )
    xml = xml.replace('<bpmn:userTask id="task_approve"', task + '<bpmn:userTask id="task_approve"')
    return xml.replace(
        "<bpmn:flowNodeRef>task_examine</bpmn:flowNodeRef>",
        f"<bpmn:flowNodeRef>task_examine</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>{step_id}</bpmn:flowNodeRef>",
    )


def make_citizen(session, email: str = "an.nguyen@example.vn", password: str = "Matkhau2026", **fields: Any):
    """A citizen account with its e-mail already verified, as after opening the link."""
    from engine.services.citizens import Registration, register

    account = register(
        session,
        Registration(
            email=email,
            password=password,
            full_name=fields.pop("full_name", "Nguyễn Văn An"),
            phone=fields.pop("phone", "0912345678"),
            id_number=fields.pop("id_number", "001090012345"),
            address=fields.pop("address", "12 Trần Phú, Ba Đình, Hà Nội"),
        ),
    )
    if fields.pop("verified", True):
        from engine import clock

        account.email_verified_at = clock.now()
    session.flush()
    return account

_DOSSIER_SEQUENCE = iter(range(1, 10**6))


def make_dossier(session: Any, procedure_code: str = PERMIT, **columns: Any) -> Any:
    """A dossier row written straight to the table (no workflow), for tests of lists and searches.

    Received yesterday at the demo counter, in processing, due in five days; ``columns`` override
    any of that (``applicant_name`` also sets its folded form).
    """
    from datetime import timedelta

    from sqlalchemy import select

    from engine import clock
    from engine.models import Dossier, Procedure, Unit
    from engine.text import fold

    procedure = session.scalars(select(Procedure).where(Procedure.code == procedure_code)).one()
    counter = session.scalars(select(Unit).where(Unit.kind == "counter")).first()
    now = clock.now().replace(microsecond=0)
    number = next(_DOSSIER_SEQUENCE)
    values: dict[str, Any] = {
        "code": f"{counter.code}-{now:%y%m%d}-{number:04d}",
        "procedure_id": procedure.id,
        "receiving_unit_id": counter.id,
        "department_id": procedure.department_id,
        "agency_id": procedure.agency_id,
        "status": 4,
        "applicant_name": APPLICANT["full_name"],
        "id_number": f"0010880{number:05d}",
        "phone": "",
        "email": "",
        "address": APPLICANT["address"],
        "received_at": now - timedelta(days=1),
        "due_at": now + timedelta(days=5),
        **columns,
    }
    values["applicant_name_folded"] = fold(values["applicant_name"])
    dossier = Dossier(**values)
    session.add(dossier)
    session.flush()
    return dossier

def add_dossier(session: Any, unit_codes: dict[str, int], **values: Any) -> Any:
    """A dossier row written directly (no workflow), for tests that count: demo units, the permit procedure.

    ``unit_codes`` maps "agency", "counter", "department" to unit ids; ``values`` overrides any column.
    """
    import itertools
    from datetime import datetime

    from sqlalchemy import select

    from engine.models import Dossier, Procedure

    _SEQUENCE.setdefault("n", itertools.count(1))
    number = next(_SEQUENCE["n"])
    procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == PERMIT))
    row = {
        "code": f"T-{number:06d}",
        "procedure_id": procedure_id,
        "receiving_unit_id": unit_codes["counter"],
        "department_id": unit_codes["department"],
        "agency_id": unit_codes["agency"],
        "channel": 1,
        "status": 4,
        "applicant_name": f"Người nộp {number}",
        "applicant_name_folded": f"nguoi nop {number}",
        "id_number": f"{number:012d}",
        "received_at": datetime(2026, 1, 5, 9, 0),
        **values,
    }
    dossier = Dossier(**row)
    session.add(dossier)
    session.flush()
    return dossier


def add_task(session: Any, dossier: Any, role: str, unit_id: int, assignee_id: int | None = None, **values: Any) -> Any:
    """An open inbox row for ``dossier``, written directly."""
    import uuid

    from engine.models import Task

    task = Task(
        id=str(uuid.uuid4()),
        dossier_id=dossier.id,
        step="task_examine",
        title="Thẩm định hồ sơ",
        form="examine",
        role=role,
        unit_id=unit_id,
        assignee_id=assignee_id,
        created_at=dossier.received_at,
        **values,
    )
    session.add(task)
    session.flush()
    return task


_SEQUENCE: dict[str, Any] = {}
