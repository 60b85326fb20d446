"""Browser fixtures: the real app served on a free port, and a real Chromium driven by Playwright.

Chromium is Debian's (``CHROMIUM_PATH`` or /usr/bin/chromium); Playwright never
downloads a browser here. Without Chromium the tests are skipped locally and
fail under CI (see ``require_part``).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import require_part
from webapp import create_app
from webapp.extensions import db

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000  # for actions and expect(): generous for a slow CI machine, short enough to fail fast


def _chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    found = shutil.which(candidate)
    return found if found and os.access(found, os.X_OK) else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = _chromium_path()
    require_part(path is not None, "Chromium (CHROMIUM_PATH or /usr/bin/chromium)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(db_url: str) -> Iterator[str]:
    """The real web app on 127.0.0.1:<free port>, over the fresh database of ``db_url``; yields its base URL."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "e2e"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()  # before db_url drops the PostgreSQL database


@pytest.fixture
def new_context(browser: Browser, live_server: str) -> Iterator[Callable[[], BrowserContext]]:
    """A factory of isolated browser contexts (one per person), all closed after the test."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(base_url=live_server, locale="vi-VN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
