"""The dashboard and warnings pages, their API, and `flask warnings send`, through the Flask test client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from engine import clock
from engine.db import make_engine
from tests.factories import Api
from tests.integration.dashboard_data import demo_units, user, warned_dossiers
from tests.smtp import SmtpSink
from tests.web.test_ui import login
from webapp import create_app
from webapp.extensions import db


@pytest.fixture
def warned(db_url):
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        found = warned_dossiers(session, clock.now())
        ids = {"construction": demo_units(session)["construction"], "chuyenvien": user(session, "chuyenvien").id}
    engine.dispose()
    return found, ids


def _row(html: str, marker: str) -> str:
    match = re.search(rf"<tr[^>]*{re.escape(marker)}[^>]*>(.*?)</tr>", html, re.S)
    assert match, f"no row {marker}"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_leader_dashboard_shows_the_departments_and_charts_with_their_numbers(client, warned):
    _, ids = warned
    login(client, "lanhdao")
    html = client.get("/bang-dieu-khien").get_data(as_text=True)

    assert 'href="/bang-dieu-khien"' in html and 'href="/canh-bao"' in html  # in the navigation
    assert _row(html, f'data-unit="{ids["construction"]}"').split() == ["Sở", "Xây", "dựng", "7", "1", "4"]
    assert 'id="months"' in html and 'id="by-status"' in html and 'id="on-time"' in html
    assert (
        _row(html, 'data-status="4"').split()[-1] == "6"
    )  # at the units now: 6 in processing  # the numbers are in the table, not only in the bars
    assert f'href="/canh-bao?state=overdue&amp;unit={ids["construction"]}"' in html


def test_counter_officer_dashboard_shows_the_counter_and_no_units(client, warned):
    login(client, "motcua")
    html = client.get("/bang-dieu-khien").get_data(as_text=True)

    assert "Hồ sơ trực tuyến cần tiếp nhận" in html and "Chờ trả kết quả" in html
    assert "Các đơn vị theo dõi" not in html
    # Each card opens the list behind its number: the online tab, and the search by status.
    assert re.search(r'href="/mot-cua/truc-tuyen"[^>]*data-counter="new_online"', html)
    to_return = re.search(r'href="([^"]+)"[^>]*data-counter="to_return"><strong>(\d+)</strong>', html)
    listed = client.get(to_return.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f"Tìm thấy {to_return.group(2)} hồ sơ." in listed  # the card and the list agree


def test_warnings_page_groups_and_drills_down(client, warned):
    found, ids = warned
    login(client, "lanhdao")
    html = client.get("/canh-bao").get_data(as_text=True)
    assert _row(html, f'data-key="u{ids["chuyenvien"]}"').split() == ["Trần", "Văn", "Bình", "1", "2"]
    assert _row(html, 'data-key="8+"').split()[-1] == "1"
    for code in (found.soon, found.late_half_day, found.late_2, found.late_5, found.late_10):
        assert code in html
    assert found.paused not in html

    drilled = client.get(f"/canh-bao?person=u{ids['chuyenvien']}&state=overdue").get_data(as_text=True)
    listed = re.findall(r'<a href="/ho-so/(?!tim-kiem)([^"]+)"', drilled)
    assert listed == [found.late_2, found.late_half_day]

    refused = client.get("/canh-bao?bucket=muon")
    assert refused.status_code == 422
    assert "Bộ lọc chưa hợp lệ" in refused.get_data(as_text=True)


def test_another_department_sees_none_of_these_warnings(client, warned):
    found, _ = warned
    login(client, "truongphong_tp")
    html = client.get("/canh-bao").get_data(as_text=True)
    assert found.late_10 not in html and "Không có hồ sơ nào sắp đến hạn" in html


def test_dashboard_and_warnings_api(client, warned):
    found, ids = warned
    head = Api(client, "truongphong")

    board = head.get("/dashboard")
    assert board.status_code == 200
    assert board.json["leader"] is True and len(board.json["months"]) == 12
    assert board.json["departments"] == [
        {"unit_id": ids["construction"], "unit_name": "Sở Xây dựng", "open": 7, "due_soon": 1, "overdue": 4}
    ]
    late = head.get("/warnings?bucket=8%2B")
    assert [row["code"] for row in late.json["dossiers"]] == [found.late_10]
    assert late.json["dossiers"][0]["late_days"] == 10
    refused = head.get("/warnings?unit=abc")
    assert refused.status_code == 422 and refused.json["errors"] == {"unit": "Đơn vị phải là một số."}
    assert client.get("/api/v1/dashboard").status_code == 401


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


def test_flask_warnings_send_mails_each_person_once_a_day(db_url, warned, smtp):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SECRET_KEY": "test-secret",
            "PUBLIC_BASE_URL": "https://dichvucong.example.gov.vn",
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": smtp.port,
            "MAIL_SENDER": "Bộ phận Một cửa <motcua@example.com>",
        }
    )
    runner = app.test_cli_runner()
    first = runner.invoke(args=["warnings", "send"])
    assert first.exit_code == 0, first.output
    assert "Đã xếp 1 thư nhắc việc sắp đến hạn và 2 thư tổng hợp hồ sơ quá hạn" in first.output
    assert sorted(r for m in smtp.messages for r in m.recipients) == [
        "chuyenvien@motcua.example",
        "lanhdao@motcua.example",
        "truongphong@motcua.example",
    ]
    again = runner.invoke(args=["warnings", "send"])
    assert "3 người đã nhận thư hôm nay" in again.output and len(smtp.messages) == 3
    with app.app_context():
        db.engine.dispose()
