"""Alembic migrations go down and up again on a database that holds data."""

from __future__ import annotations

from sqlalchemy import inspect, select

from engine import migrate
from engine.db import make_engine, session_scope
from engine.models import Dossier, Procedure
from tests.conftest import FORMS
from tests.factories import PERMIT


def test_migrations_downgrade_and_upgrade_with_data(db_url):
    from engine.services.receive import receive_dossier
    from tests.integration.test_services import _reception, _user

    engine = make_engine(db_url)
    with session_scope(engine) as session:
        receive_dossier(session, _user(session, "motcua"), _reception(session), FORMS)
    engine.dispose()

    migrate.downgrade(db_url, "0001")
    engine = make_engine(db_url)
    assert "attachment" not in inspect(engine).get_table_names()
    assert not {"payment", "fee_request", "sms_log"} & set(inspect(engine).get_table_names())
    engine.dispose()

    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    assert {"payment", "fee_request", "sms_log"} <= set(inspect(engine).get_table_names())
    with session_scope(engine) as session:
        dossier = session.scalars(select(Dossier)).one()
        # Columns added by 0002 come back with their defaults on old rows.
        assert (dossier.applicant_kind, dossier.sets_count, dossier.return_method) == ("person", 1, "counter")
        assert session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one().online_level == "none"
    engine.dispose()
