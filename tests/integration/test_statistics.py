"""Biểu 06, per procedure, per officer, QĐ 766 and Mẫu 07 against the hand-counted fixture."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import make_engine, session_scope
from engine.documents.render import soffice_binary
from engine.documents.report_docs import bieu_06_pdf
from engine.documents.report_sheets import bieu_06_xlsx, procedures_xlsx, register_xlsx
from engine.models import User
from engine.services.errors import Forbidden, InvalidInput
from engine.services.register import register_page, register_rows
from engine.services.report_scope import resolve_scope
from engine.services.statistics import bieu_06, per_officer, per_procedure, qd_766
from tests.conftest import require_part
from tests.report_fixture import PERIOD, load_report_fixture

CONSTRUCTION, JUSTICE, AGENCY = "000.00.13.H10", "000.00.12.H10", "000.00.00.H10"
# received total, carried, new online, new in person/post | resolved total, before, on time, late |
# in progress total, within, late  (see tests/report_fixture.py)
BUILDING = [11, 2, 3, 6, 5, 1, 3, 1, 6, 3, 3]
CIVIL = [2, 1, 1, 0, 1, 1, 0, 0, 1, 0, 1]
TOTAL = [13, 3, 4, 6, 6, 2, 3, 1, 7, 3, 4]


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        load_report_fixture(session)
    with session_scope(engine) as session:
        yield session
    engine.dispose()


def _user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _scope(session: Session, username: str = "quantri", **args: str):
    return resolve_scope(session, _user(session, username), {**PERIOD, **args})


def test_bieu_06_by_field_counts_every_column_as_counted_by_hand(session):
    report = bieu_06(session, _scope(session, by="field"))
    assert {row.label: row.columns() for row in report.rows} == {"Xây dựng": BUILDING, "Hộ tịch": CIVIL}
    assert report.total.columns() == TOTAL
    assert report.total.label == "Tổng cộng"


def test_bieu_06_by_unit_counts_each_department(session):
    report = bieu_06(session, _scope(session, by="unit"))
    assert {row.code: row.columns() for row in report.rows} == {CONSTRUCTION: BUILDING, JUSTICE: CIVIL}
    assert report.total.columns() == TOTAL


def test_a_department_leader_sees_only_their_department(session):
    scope = _scope(session, "truongphong", by="unit")
    assert scope.unit.code == CONSTRUCTION
    report = bieu_06(session, scope)
    assert [row.code for row in report.rows] == [CONSTRUCTION]
    assert report.total.columns() == BUILDING
    with pytest.raises(Forbidden, match="đơn vị mình"):
        _scope(session, "truongphong", unit=JUSTICE)
    with pytest.raises(Forbidden, match="đơn vị mình"):
        _scope(session, "truongphong", unit=AGENCY)


def test_an_agency_leader_sees_the_units_under_the_agency(session):
    report = bieu_06(session, _scope(session, "lanhdao", by="unit"))
    assert report.total.columns() == TOTAL
    assert bieu_06(session, _scope(session, "lanhdao", unit=JUSTICE)).total.columns() == CIVIL


def test_a_specialist_or_counter_officer_is_refused(session):
    for username in ("chuyenvien", "motcua"):
        with pytest.raises(Forbidden, match="lãnh đạo"):
            _scope(session, username)


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to", "từ ngày bắt đầu trở đi"),
        ({"from": "2020-01-01", "to": "2025-01-01"}, "to", "tối đa 5 năm"),
        ({"from": "hôm qua", "to": "2026-03-01"}, "from", "ngày bắt đầu"),
        ({"unit": "000.99.99.H10"}, "unit", "Không có đơn vị mã “000.99.99.H10”"),
        ({"by": "tháng"}, "by", "lĩnh vực hoặc theo đơn vị"),
    ],
)
def test_bad_periods_and_units_are_refused_with_a_reason(session, args, field, message):
    with pytest.raises(InvalidInput) as caught:
        _scope(session, **args)
    assert message in caught.value.errors[field]


def test_five_years_to_the_day_before_is_the_longest_period(session):
    assert _scope(session, **{"from": "2021-01-01", "to": "2025-12-31"}).period.end.year == 2025


def test_per_procedure_counts_and_average_resolution_days(session):
    rows = {row.code: row for row in per_procedure(session, _scope(session))}
    building = rows["1.009994"]
    assert (building.received, building.resolved, building.before, building.on_time, building.late, building.open) == (
        9, 5, 1, 3, 1, 6,
    )  # fmt: skip
    # O 6 days, B 3, C 7 days 8:59, D 7, E 15: 38.3743 / 5
    assert building.average_days == pytest.approx(7.6749, abs=0.001)
    civil = rows["1.001193"]
    assert (civil.received, civil.resolved, civil.before, civil.open) == (1, 1, 1, 1)
    assert civil.average_days == pytest.approx(2 / 24, abs=0.001)


def test_qd_766_online_payment_and_satisfaction_count_what_happened_in_the_period(session):
    from datetime import datetime

    from engine.models import Dossier, FeeRequest, Payment, SatisfactionRating

    dossiers = session.scalars(select(Dossier).order_by(Dossier.id)).all()[:3]
    for n, (dossier, provider, paid_at, overall, rated_at) in enumerate(
        zip(
            dossiers,
            ("vnpay", "cash", "vnpay"),
            ("2026-03-05 09:00", "2026-03-20 10:00", "2026-04-02 08:00"),  # the last one after the period
            (4, 2, 4),
            ("2026-03-06 09:00", "2026-03-21 10:00", "2026-02-27 08:00"),  # the last one before it
            strict=True,
        )
    ):
        paid, rated = datetime.fromisoformat(paid_at), datetime.fromisoformat(rated_at)
        fee = FeeRequest(
            dossier_id=dossier.id,
            amount=10000,
            requested_at=paid,
            requested_by_name="x",
            previous_status=4,
            paid_at=paid,
        )
        session.add(fee)
        session.flush()
        session.add(
            Payment(
                dossier_id=dossier.id,
                fee_request_id=fee.id,
                provider=provider,
                txn_ref=f"T{n}",
                amount=10000,
                status="paid",
                created_at=paid,
                paid_at=paid,
            )
        )
        session.add(
            SatisfactionRating(
                dossier_id=dossier.id,
                overall=overall,
                convenience=3,
                timeliness=3,
                attitude=3,
                transparency=3,
                contacts_count=1,
                agencies_count=1,
                channel="lookup",
                rated_at=rated,
            )
        )
    session.flush()
    by_key = {i.key: i for i in qd_766(session, _scope(session))[0]}
    assert (by_key["online_payment"].numerator, by_key["online_payment"].denominator) == (1, 2)
    assert (by_key["satisfaction"].numerator, by_key["satisfaction"].denominator) == (1, 2)
    assert by_key["satisfaction"].percent == 50.0 and by_key["satisfaction"].note != "chưa có dữ liệu"


def test_per_officer_counts_completed_steps_on_time_and_late(session):
    rows = {row.username: row for row in per_officer(session, _scope(session))}
    assert set(rows) == {"chuyenvien", "chuyenvien_tp"}
    assert (rows["chuyenvien"].dossiers, rows["chuyenvien"].steps, rows["chuyenvien"].on_time) == (2, 3, 2)
    assert rows["chuyenvien"].late == 1
    assert (rows["chuyenvien_tp"].steps, rows["chuyenvien_tp"].on_time, rows["chuyenvien_tp"].late) == (1, 1, 0)
    assert [row.username for row in per_officer(session, _scope(session, "truongphong"))] == ["chuyenvien"]


def test_qd_766_shares_and_the_ones_without_data(session):
    indicators, procedures = qd_766(session, _scope(session))
    by_key = {i.key: i for i in indicators}
    assert by_key["resolved_in_time"].percent == pytest.approx(83.33)  # (2 + 3) / 6
    assert by_key["dossiers_online"].percent == 40.0  # 4 of 10 newly received
    assert by_key["procedures_online"].percent == 87.5  # 7 of the 8 demo procedures
    assert by_key["digitised"].percent == 10.0  # B of the 10 accepted in the period
    assert by_key["online_payment"].percent is None and by_key["online_payment"].note == "chưa có dữ liệu"
    assert by_key["satisfaction"].note == "chưa có dữ liệu"
    assert {row.code for row in procedures} == {"1.009994", "1.001193"}


def test_mau_07_lists_every_dossier_received_in_the_period_in_order(session):
    rows = register_rows(session, _scope(session, "truongphong"))
    assert [row.applicant for row in rows] == [f"Người nộp {k}" for k in "BCDEFGHIJKLP"]
    assert [row.number for row in rows] == list(range(1, 13))
    first = rows[0]
    assert first.procedure_name == "Cấp giấy phép xây dựng nhà ở riêng lẻ"
    assert first.department == "Sở Xây dựng"
    assert first.address_phone == "Số 2 Hùng Vương, 0912345678"
    assert first.sent_at is not None and first.sent_at.day == 3  # its first step in the department
    assert first.result_at.day == 5 and first.returned_at.day == 5
    refused = rows[8]
    assert refused.note.startswith("Không được tiếp nhận") and "thẩm quyền" in refused.note
    assert len(register_rows(session, _scope(session))) == 13
    page = register_page(session, _scope(session), page=9)
    assert (page.total, page.page, page.pages, len(page.rows)) == (13, 1, 1, 13)


def test_a_register_export_longer_than_a_file_may_hold_is_refused(session):
    with pytest.raises(InvalidInput) as caught:
        register_rows(session, _scope(session, "truongphong"), limit=5)
    assert caught.value.errors["format"] == "Sổ có 12 hồ sơ, quá 5 dòng của một tệp tải về; hãy chọn kỳ ngắn hơn."


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_bieu_06_xlsx_has_the_form_header_and_the_figures(session):
    report = bieu_06(session, _scope(session, by="field"))
    sheet = load_workbook(io.BytesIO(bieu_06_xlsx(report))).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0][0] == "Đơn vị báo cáo: Tất cả đơn vị" and "Biểu số 06/VPCP/KSTT" in cells[0]
    assert cells[3][0] == "Từ ngày 01/03/2026 đến ngày 31/03/2026"
    header, sub, numbers = cells[5], cells[6], cells[7]
    assert header[:3] == ["STT", "Lĩnh vực", "Số hồ sơ nhận giải quyết"]
    assert header[6] == "Số hồ sơ đã giải quyết" and header[10] == "Số hồ sơ đang giải quyết"
    assert sub[2:6] == ["Tổng số", "Từ kỳ trước chuyển qua", "Mới tiếp nhận trực tuyến",
                        "Mới tiếp nhận trực tiếp, bưu chính công ích"]  # fmt: skip
    assert sub[6:] == ["Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn", "Tổng số", "Trong hạn", "Quá hạn"]
    assert numbers[0] == "(1)" and numbers[-1] == "(13)"
    assert {row[1]: row[2:] for row in cells[8:10]} == {"Xây dựng": BUILDING, "Hộ tịch": CIVIL}
    assert cells[10][1:] == ["Tổng cộng", *TOTAL]
    assert "C6:F6" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.page_setup.orientation == "landscape"


def test_register_and_procedure_xlsx_read_back(session):
    scope = _scope(session, "truongphong")
    register = load_workbook(io.BytesIO(register_xlsx(register_rows(session, scope), scope))).active
    lines = [[c.value for c in row] for row in register.iter_rows(min_row=7)]
    assert len(lines) == 12 and lines[0][4] == "Người nộp B" and lines[0][7].day == 2
    procedures = load_workbook(io.BytesIO(procedures_xlsx(per_procedure(session, scope), scope))).active
    row = [c.value for c in next(procedures.iter_rows(min_row=7))]
    assert row[1] == "1.009994" and row[4:10] == [9, 5, 1, 3, 1, 6] and row[10] == 7.67


def test_bieu_06_pdf_text_carries_the_title_and_the_figures(session, tmp_path):
    require_part(soffice_binary() is not None, "LibreOffice (Debian libreoffice-writer-nogui)")
    require_part(shutil.which("pdftotext") is not None, "poppler-utils")
    text = _pdf_text(bieu_06_pdf(bieu_06(session, _scope(session, "truongphong", by="unit"))), tmp_path)
    assert "Biểu số 06/VPCP/KSTT" in text and "Đơn vị báo cáo: Sở Xây dựng" in text
    line = next(line for line in text.splitlines() if "Tổng cộng" in line)
    assert [int(x) for x in line.split()[2:]] == BUILDING
    assert "Trước hạn" in text and "Trong hạn" in text
