"""The process diagram on the staff dossier page, drawn by bpmn-js in a real Chromium under the app's CSP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, expect

from tests.e2e.test_dossier_journey import log_in
from tests.factories import Api, specialist_choice
from webapp import create_app

pytestmark = pytest.mark.e2e

CURRENT_STROKE = "rgb(224, 123, 0)"  # the orange of .step-current in style.css


def permit_waiting_for_examination(db_url: str) -> str:
    """A permit dossier received and assigned (through the API, on the live server's database); its code."""
    client = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "e2e-setup"}).test_client()
    code = Api(client, "motcua").receive().json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert task is not None
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    return code


def test_the_dossier_page_draws_the_process_with_the_steps_marked(
    new_context: Callable[[], BrowserContext], db_url: str
) -> None:
    code = permit_waiting_for_examination(db_url)
    page = new_context().new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, "chuyenvien")
    page.goto(f"/ho-so/{code}")
    card = page.locator(".diagram-card")
    expect(card.get_by_role("heading", name="Sơ đồ quy trình")).to_be_visible()
    expect(page.locator("#diagram svg").first).to_be_visible()
    expect(page.locator("#diagram .bjs-powered-by")).to_be_visible()  # the bpmn.io watermark stays
    expect(page.locator(".djs-element.step-current")).to_have_count(1)
    expect(page.locator('.djs-element.step-current[data-element-id="task_examine"]')).to_be_visible()
    expect(page.locator('.djs-element.step-done[data-element-id="task_assign"]')).to_be_visible()
    stroke = page.locator(".step-current .djs-visual > :nth-child(1)").evaluate("el => getComputedStyle(el).stroke")
    assert stroke == CURRENT_STROKE
    expect(card.locator(".diagram-legend")).to_contain_text("Đã xử lý")
    expect(card.locator(".diagram-legend")).to_contain_text("Đang xử lý")
    expect(page.locator(".diagram-error")).to_have_count(0)

    # On a phone the frame keeps to the screen, the diagram to a readable width, and the open step is in view.
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    expect(page.locator(".djs-element.step-current")).to_have_count(1)
    frame = page.locator(".diagram-frame").bounding_box()
    diagram = page.locator("#diagram").bounding_box()
    assert frame is not None and diagram is not None
    assert frame["width"] <= 375 and 300 <= frame["height"] <= 400
    assert diagram["width"] >= 600
    step = page.locator(".djs-element.step-current").bounding_box()
    assert step is not None and frame["x"] <= step["x"] and step["x"] + step["width"] <= frame["x"] + frame["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the page itself does not scroll sideways

    csp = [e for e in errors if "Content Security Policy" in e or "Content-Security-Policy" in e]
    assert not csp, csp
    assert not errors, errors
