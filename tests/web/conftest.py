from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

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
def client(app: Flask) -> FlaskClient:
    return app.test_client()
