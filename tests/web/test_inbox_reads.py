"""The inbox is read from its own indexed rows: listing it, in the API or the page, never loads a workflow."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from engine.services import tasks as task_service
from engine.workflow import runtime
from tests.factories import PERMIT, Api
from tests.web.test_ui import login
from webapp.extensions import db


@pytest.fixture
def statements(app):
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, params, context, executemany) -> None:
        seen.append(statement.lower())

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_listing_the_inbox_reads_no_workflow_state(app, client, statements, monkeypatch):
    counter = Api(client, "motcua")
    codes = [counter.receive(PERMIT).json["code"] for _ in range(3)]

    def refuse(*args, **kwargs):
        raise AssertionError("the inbox loaded a workflow")

    monkeypatch.setattr(runtime, "load_instance", refuse)
    monkeypatch.setattr(task_service, "load_instance", refuse)
    statements.clear()
    listed = Api(client, "truongphong").get("/tasks")
    assert listed.status_code == 200
    assert {t["dossier_code"] for t in listed.json} >= set(codes)
    login(client, "truongphong")
    page = client.get("/cong-viec")
    assert page.status_code == 200 and all(code in page.get_data(as_text=True) for code in codes)
    assert statements and not [s for s in statements if "workflow_state" in s]
