"""Satisfaction ratings in the service layer: once per dossier even under a race; the staff summary; demo data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.db import make_engine, session_scope
from engine.demo import DEMO_CITIZEN, load_demo_dossiers
from engine.models import CitizenAccount, Dossier
from engine.services import citizens, satisfaction
from engine.services.errors import Conflict
from engine.status import DossierStatus
from tests.conftest import FORMS
from tests.factories import make_citizen
from tests.integration.test_services import _reception, _user

ANSWERS = {
    "overall": 4,
    "convenience": 2,
    "timeliness": 3,
    "attitude": 4,
    "transparency": 1,
    "contacts_count": 2,
    "agencies_count": 1,
}


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _finished_dossier(engine) -> tuple[str, int]:
    from engine.services.receive import receive_dossier

    with session_scope(engine) as session:
        dossier = receive_dossier(session, _user(session, "motcua"), _reception(session), FORMS)
        account = make_citizen(session)
        dossier.citizen_id = account.id
        dossier.status = int(DossierStatus.RETURNED)  # as after the return step; only the status matters here
        return dossier.code, account.id


def test_a_second_rating_that_loses_the_race_is_refused_by_the_unique_key(engine, monkeypatch):
    code, account_id = _finished_dossier(engine)
    with session_scope(engine) as session:
        satisfaction.rate_as_citizen(session, session.get(CitizenAccount, account_id), code, ANSWERS)
    # The other request read "not rated yet" before this one committed: only the database can stop it.
    monkeypatch.setattr(satisfaction, "rating_of", lambda session, dossier_id: None)
    with session_scope(engine) as session, pytest.raises(Conflict, match="chỉ được đánh giá một lần"):
        satisfaction.rate_as_citizen(session, session.get(CitizenAccount, account_id), code, ANSWERS)


def test_the_summary_counts_ratings_and_the_share_satisfied(engine):
    with session_scope(engine) as session:
        assert satisfaction.summary(session).count == 0
    code, account_id = _finished_dossier(engine)
    with session_scope(engine) as session:
        satisfaction.rate_as_citizen(session, session.get(CitizenAccount, account_id), code, ANSWERS)
        found = satisfaction.summary(session)
    assert (found.count, found.satisfied_share) == (1, 1.0)
    assert found.means == {"overall": 4, "convenience": 2, "timeliness": 3, "attitude": 4, "transparency": 1}


def test_the_demo_citizen_logs_in_and_owns_the_demo_dossiers(engine):
    with session_scope(engine) as session:
        account = citizens.authenticate(session, DEMO_CITIZEN["email"], "demo")
        received = load_demo_dossiers(session, FORMS)
        assert [d.procedure.code for d in received] == ["1.001193", "1.009994"]
        assert load_demo_dossiers(session, FORMS) == []  # loading again adds nothing
        owned = session.scalars(select(Dossier.code).where(Dossier.citizen_id == account.id)).all()
        assert sorted(owned) == sorted(d.code for d in received)
