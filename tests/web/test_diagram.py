"""The dossier's process diagram: its JSON (steps done and open) and the bpmn-js files served from node_modules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from engine.models import Dossier, Task
from tests.conftest import require_part
from tests.factories import Api, specialist_choice
from webapp import create_app
from webapp.config import ROOT
from webapp.extensions import db
from webapp.vendor import bpmn_js_url

BUNDLE = "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"


def web_login(client: FlaskClient, username: str) -> None:
    """Log in through the login page, as a browser does (the diagram JSON is for the staff pages)."""
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    response = client.post("/dang-nhap", data={"username": username, "password": "demo", "csrf_token": token.group(1)})
    assert response.status_code == 302, response.get_data(as_text=True)


def diagram_of(client: FlaskClient, code: str):
    return client.get(f"/ho-so/{code}/so-do.json")


def assign(client: FlaskClient, code: str) -> None:
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert task is not None
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200


def test_the_diagram_marks_the_steps_done_and_the_step_open(client):
    code = Api(client, "motcua").receive().json["code"]
    web_login(client, "truongphong")

    response = diagram_of(client, code)
    assert response.status_code == 200
    assert response.json["done"] == ["task_receive"]  # done at the counter
    assert response.json["current"] == ["task_assign"]

    assign(client, code)
    response = diagram_of(client, code)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json
    assert list(body) == ["xml", "done", "current"]
    assert "<bpmn:definitions" in body["xml"] and 'id="task_examine"' in body["xml"]
    assert sorted(body["done"]) == ["task_assign", "task_receive"]
    assert body["current"] == ["task_examine"]


def test_a_step_done_twice_is_listed_once_and_reopened_steps_are_current(client):
    code = Api(client, "motcua").receive().json["code"]
    assign(client, code)
    specialist, director = Api(client, "chuyenvien"), Api(client, "lanhdao")
    task = specialist.task_for(code)
    assert specialist.complete(task["id"], {"proposal": "approve", "examination": "Đủ điều kiện"}).status_code == 200
    task = director.task_for(code)
    assert director.complete(task["id"], {"decision": "reject", "note": "Bổ sung thuyết minh"}).status_code == 200
    task = specialist.task_for(code)
    assert specialist.complete(task["id"], {"proposal": "approve", "examination": "Đã bổ sung"}).status_code == 200

    web_login(client, "lanhdao")
    body = diagram_of(client, code).json
    assert body["done"].count("task_examine") == 1
    assert {"task_assign", "task_examine", "task_approve"} <= set(body["done"])
    assert body["current"] == ["task_approve"]


def test_only_completed_tasks_count_as_done(app, client):
    code = Api(client, "motcua").receive().json["code"]
    assign(client, code)
    with app.app_context():
        dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == code))
        db.session.execute(
            update(Task).where(Task.dossier_id == dossier_id, Task.step == "task_assign").values(outcome="recalled")
        )
        db.session.commit()
    web_login(client, "truongphong")
    body = diagram_of(client, code).json
    assert "task_assign" not in body["done"]
    assert body["current"] == ["task_examine"]


def test_the_dossier_page_shows_the_diagram_card(client):
    code = Api(client, "motcua").receive().json["code"]
    web_login(client, "motcua")
    html = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Sơ đồ quy trình" in html
    assert f'data-src="/ho-so/{code}/so-do.json"' in html
    assert 'src="/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js' in html
    assert 'src="/static/diagram.js"' in html
    assert "Đã xử lý" in html and "Đang xử lý" in html
    assert "<script>" not in html  # no inline script: the Content-Security-Policy would block it


def test_a_dossier_refused_at_intake_has_no_diagram(client):
    response = Api(client, "motcua").receive(outcome="refuse", reason="Công trình thuộc khu vực đã có quy hoạch")
    assert response.status_code == 201, response.json
    code = response.json["code"]
    web_login(client, "motcua")
    html = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert 'id="diagram"' not in html
    response = diagram_of(client, code)
    assert response.status_code == 404
    assert "không có sơ đồ quy trình" in response.get_data(as_text=True)


def test_the_diagram_needs_a_login_and_a_known_dossier(client):
    code = Api(client, "motcua").receive().json["code"]
    response = diagram_of(client, code)
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
    web_login(client, "motcua")
    response = diagram_of(client, "000.00.01.H10-200101-9999")
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ" in response.get_data(as_text=True)


@pytest.fixture
def vendor_client(sqlite_url: str) -> FlaskClient:
    """The vendor files do not depend on the database: SQLite only."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": "test-secret"})
    return app.test_client()


@pytest.fixture
def installed() -> None:
    require_part((ROOT / "node_modules" / "bpmn-js" / "dist").is_dir(), "node_modules/bpmn-js (npm ci)")


@pytest.mark.usefixtures("installed")
def test_the_viewer_bundle_and_its_styles_are_served_with_long_caching(vendor_client):
    response = vendor_client.get(BUNDLE)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert b"BpmnJS" in response.data
    for css in ("assets/diagram-js.css", "assets/bpmn-js.css", "assets/bpmn-font/css/bpmn.css"):
        response = vendor_client.get(f"/vendor/bpmn-js/{css}")
        assert (response.status_code, response.mimetype) == (200, "text/css"), css
    assert vendor_client.get("/vendor/bpmn-js/assets/bpmn-font/font/bpmn.woff2").mimetype == "font/woff2"
    # The pages ask for the installed version, so that an upgrade is not hidden by the cache.
    version = json.loads((ROOT / "node_modules" / "bpmn-js" / "package.json").read_text())["version"]
    with vendor_client.application.test_request_context():
        assert bpmn_js_url("assets/bpmn-js.css") == f"/vendor/bpmn-js/assets/bpmn-js.css?v={version}"


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize(
    "path",
    [
        "../package.json",
        "%2e%2e/package.json",
        "..%2fpackage.json",
        "assets/../../package.json",
        "assets/%2e%2e/%2e%2e/package.json",
        "/etc/passwd",
        "bpmn-navigated-viewer.development.js",
        "assets/bpmn-font/css/bpmn-embedded.css",
        "",
    ],
)
def test_only_the_listed_files_are_served(vendor_client, path: str):
    # A doubled slash is first redirected to its merged form, which is refused in turn.
    assert vendor_client.get(f"/vendor/bpmn-js/{path}", follow_redirects=True).status_code == 404


def test_without_node_modules_the_files_are_explained_not_crashed(vendor_client, tmp_path: Path):
    vendor_client.application.config["NODE_MODULES_DIR"] = str(tmp_path / "node_modules")
    response = vendor_client.get(BUNDLE)
    assert response.status_code == 503
    assert "Thư viện giao diện bpmn-js chưa được cài đặt" in response.get_data(as_text=True)
    assert vendor_client.get("/vendor/bpmn-js/bpmn-modeler.production.min.js").status_code == 503
