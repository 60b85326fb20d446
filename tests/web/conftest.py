from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.smtp import SmtpSink
from webapp import create_app
from webapp.extensions import db


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False}
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on a free port, keeping what it receives."""
    with SmtpSink() as sink:
        yield sink


@contextmanager
def app_with_mail(db_url: str, smtp: SmtpSink, **settings: Any) -> Iterator[Flask]:
    """The test app sending its e-mail through ``smtp``; ``settings`` add to its configuration or override it."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": smtp.port,
            "SCHEDULER_ENABLED": False,
            **settings,
        }
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
