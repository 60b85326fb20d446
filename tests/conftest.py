"""Shared fixtures: a migrated database with the demo data, on SQLite and on PostgreSQL.

PostgreSQL runs when TEST_POSTGRES_URL names a server we may create databases
on (``.ci/run`` starts one). Without it the PostgreSQL cases are skipped, except
under CI, where a missing server is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from engine import migrate
from engine.db import make_engine, session_scope
from engine.demo import load_demo
from engine.forms import FormRegistry

ROOT = Path(__file__).resolve().parent.parent
FORMS = FormRegistry(ROOT / "forms")


class ClosingClient(FlaskClient):
    """A test client that closes each response, as a server does once it has sent it: what the app does
    then (the e-mails of the request, ``webapp.outbox``) has happened when the call returns."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


Flask.test_client_class = ClosingClient
PG_URL = os.environ.get("TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_part(available: bool, what: str) -> None:
    """Skip a test for want of a real part, locally; fail it in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} not available")


def _build(url: str) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_demo(session, ROOT / "processes", FORMS)
    engine.dispose()


class _SqliteTemplate:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "template.db"
        _build(f"sqlite:///{self.path}")

    def fresh(self, folder: Path) -> str:
        target = folder / f"{uuid.uuid4().hex}.db"
        shutil.copy(self.path, target)
        return f"sqlite:///{target}"


class _PostgresTemplate:
    def __init__(self) -> None:
        self.admin_url = make_url(PG_URL).set(database="postgres")
        self.template = f"motcua_tpl_{os.getpid()}"
        self._admin(f'DROP DATABASE IF EXISTS "{self.template}"', f'CREATE DATABASE "{self.template}"')
        _build(make_url(PG_URL).set(database=self.template).render_as_string(hide_password=False))
        self.created: list[str] = []

    def _admin(self, *statements: str) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
        engine.dispose()

    def fresh(self) -> str:
        name = f"motcua_t_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def drop(self, name_url: str) -> None:
        """Drop a test database; an autovacuum worker on it can refuse the first tries."""
        name = make_url(name_url).database
        for attempt in range(10):
            try:
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except (OperationalError, ProgrammingError):
                time.sleep(0.2 * (attempt + 1))
        warnings.warn(f"test database {name} could not be dropped", stacklevel=1)

    def close(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    templates: dict[str, Any] = {"sqlite": _SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))}
    yield templates
    if "postgresql" in templates:
        templates["postgresql"].close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, _templates: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database with the demo data, for each backend."""
    if request.param == "sqlite":
        yield _templates["sqlite"].fresh(tmp_path)
        return
    require_part(bool(PG_URL), "PostgreSQL (TEST_POSTGRES_URL)")
    if "postgresql" not in _templates:
        _templates["postgresql"] = _PostgresTemplate()
    url = _templates["postgresql"].fresh()
    yield url
    _templates["postgresql"].drop(url)


@pytest.fixture
def sqlite_url(_templates: dict[str, Any], tmp_path: Path) -> str:
    """A fresh SQLite database, for tests about behaviour that does not depend on the backend."""
    return _templates["sqlite"].fresh(tmp_path)


@pytest.fixture
def forms() -> FormRegistry:
    return FORMS
