"""Services against a real database: codes under concurrency, process versions, the CLI."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine.db import make_engine, session_scope
from engine.models import Dossier, ProcessVersion, User
from engine.services import transaction
from engine.services.auth import AuthenticationFailed, actor_for_token, issue_token
from engine.services.dossiers import receive_dossier
from engine.services.procedures import InvalidProcess, deploy_process
from engine.services.tasks import complete_task, list_tasks
from tests.conftest import FORMS, ROOT
from tests.factories import APPLICANT, PERMIT

PERMIT_XML = (ROOT / "processes/cap_phep_xay_dung/process.bpmn").read_text(encoding="utf-8")


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _reception(session) -> dict:
    from engine.models import Procedure

    procedure = session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one()
    return {"procedure_code": PERMIT, "applicant": dict(APPLICANT), "components": [c.id for c in procedure.components]}


def test_a_running_dossier_stays_on_its_version_while_new_ones_take_the_newest(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        old = receive_dossier(session, _user(session, "motcua"), _reception(session), FORMS)
        old_version = old.process_version_id
        # A designer renames the examination step and deploys.
        renamed = PERMIT_XML.replace('name="Thẩm định hồ sơ"', 'name="Thẩm định hồ sơ (mới)"')
        version = deploy_process(session, _user(session, "thietke"), renamed, FORMS)
        assert version.number == 2 and version.deployed_by_name == "Võ Thị Hạnh"
        new = receive_dossier(session, _user(session, "motcua"), _reception(session), FORMS)
        assert new.process_version_id == version.id != old_version

    with session_scope(engine) as session:
        leader = _user(session, "truongphong")
        specialist = _user(session, "chuyenvien")
        for dossier_code in (old.code, new.code):
            task = next(t for t in list_tasks(session, leader) if t.dossier.code == dossier_code)
            complete_task(session, leader, task.id, {"specialist": str(specialist.id)}, FORMS)
        titles = {t.dossier.code: t.title for t in list_tasks(session, specialist)}
    engine.dispose()
    assert titles == {old.code: "Thẩm định hồ sơ", new.code: "Thẩm định hồ sơ (mới)"}


def test_deploying_the_same_diagram_again_makes_no_new_version(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        again = deploy_process(session, None, PERMIT_XML, FORMS)
        versions = session.scalars(
            select(ProcessVersion).where(ProcessVersion.process_key == "cap_phep_xay_dung")
        ).all()
    engine.dispose()
    assert again.number == 1 and len(versions) == 1


def test_a_broken_diagram_is_refused_and_nothing_is_deployed(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        before = len(session.scalars(select(ProcessVersion)).all())
    with session_scope(engine) as session:
        try:
            deploy_process(
                session, _user(session, "thietke"), PERMIT_XML.replace('name="Lãnh đạo"', 'name="Bảo vệ"'), FORMS
            )
        except InvalidProcess as err:
            assert "Bảo vệ" in err.message
        else:
            raise AssertionError("deployed a diagram with an unmapped lane")
        count = len(session.scalars(select(ProcessVersion)).all())
    engine.dispose()
    assert count == before


def test_only_designers_deploy(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        try:
            deploy_process(session, _user(session, "chuyenvien"), PERMIT_XML, FORMS)
        except Exception as err:
            assert type(err).__name__ == "Forbidden"
        else:
            raise AssertionError("a specialist deployed a process")
    engine.dispose()


def test_tokens_are_revoked_by_bumping_the_generation(sqlite_url):
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        user = _user(session, "motcua")
        token = issue_token(user, "s3cret")
        assert actor_for_token(session, token, "s3cret").id == user.id
        user.token_generation += 1
        session.flush()
        try:
            actor_for_token(session, token, "s3cret")
        except AuthenticationFailed as err:
            assert err.message == "Mã truy cập không còn hiệu lực."
        else:
            raise AssertionError("a revoked token still works")
    engine.dispose()


def test_received_dossier_is_stored_with_its_searchable_columns(sqlite_url):
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        dossier = receive_dossier(session, _user(session, "motcua"), _reception(session), FORMS)
    with session_scope(engine) as session:
        stored = session.scalars(select(Dossier).where(Dossier.applicant_name_folded == "nguyen van an")).one()
        assert (stored.code, stored.id_number, stored.status) == (dossier.code, APPLICANT["id_number"], 2)
        assert [c.submitted for c in stored.components] == [True, True, True, True]
    engine.dispose()


def test_cli_validates_and_deploys(sqlite_url, tmp_path: Path):
    from webapp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": "x"})
    bad = tmp_path / "bad.bpmn"
    bad.write_text(PERMIT_XML.replace('value="examine"', 'value="khong_co"'), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["procedures", "validate", str(bad)])
    assert result.exit_code == 1
    assert "(task_examine): Biểu mẫu “khong_co” không tồn tại" in result.output
    good = tmp_path / "good.bpmn"
    good.write_text(PERMIT_XML.replace('name="Trả kết quả"', 'name="Trả kết quả cho công dân"'), encoding="utf-8")
    assert "Sơ đồ hợp lệ." in app.test_cli_runner().invoke(args=["procedures", "validate", str(good)]).output
    result = app.test_cli_runner().invoke(args=["procedures", "deploy", str(good)])
    assert result.exit_code == 0 and "Đã triển khai cap_phep_xay_dung phiên bản 2." in result.output
    result = app.test_cli_runner().invoke(args=["procedures", "deploy", str(tmp_path / "missing.bpmn")])
    assert result.exit_code != 0 and "Không đọc được tệp" in result.output
    with app.app_context():
        from webapp.extensions import db

        db.engine.dispose()


def test_fifty_parallel_receptions_get_fifty_consecutive_codes(db_url):
    """Receptions from parallel connections never share and never skip a number."""
    engine = make_engine(db_url, pool_size=10, max_overflow=0) if "postgresql" in db_url else make_engine(db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with session_scope(engine) as session:
        payload = _reception(session)
    barrier = threading.Barrier(10)
    codes: list[str] = []
    failures: list[BaseException] = []

    def receive_five() -> None:
        session = factory()
        officer = _user(session, "motcua")
        barrier.wait()
        try:
            for _ in range(5):
                with transaction(session):
                    codes.append(receive_dossier(session, officer, payload, FORMS).code)
        except BaseException as err:
            failures.append(err)
        finally:
            session.close()

    threads = [threading.Thread(target=receive_five) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert failures == []
    prefix = codes[0].rsplit("-", 1)[0]
    assert sorted(codes) == [f"{prefix}-{n:04d}" for n in range(1, 51)]
