"""The task form editor in a real Chromium: add a field, see it in the live preview, save a version."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.test_dossier_journey import log_in

pytestmark = pytest.mark.e2e


def test_a_designer_adds_a_field_sees_it_previewed_and_saves(new_context: Callable[[], BrowserContext]) -> None:
    page = new_context().new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, "thietke")
    page.goto("/thiet-ke/bieu-mau/examine")
    preview = page.locator("#form-preview")
    expect(preview).to_contain_text("Kết quả thẩm định")  # the form as the task page shows it

    rows = page.locator("tr.form-field-row")
    count = rows.count()
    page.get_by_role("button", name="Thêm trường").click()
    expect(rows).to_have_count(count + 1)
    new = rows.nth(count)
    new.get_by_label("Tên trường", exact=True).fill("site_visit_date")
    new.get_by_label("Nhãn", exact=True).fill("Ngày kiểm tra thực địa")
    new.get_by_label("Kiểu", exact=True).select_option(label="Ngày")
    expect(preview).to_contain_text("Ngày kiểm tra thực địa")  # re-rendered by the server as it is typed

    page.get_by_role("button", name="Lưu biểu mẫu").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã lưu biểu mẫu “examine” phiên bản 1")
    expect(page.locator("#form-history tr[data-version='1']")).to_contain_text("Võ Thị Hạnh")
    assert errors == [], errors
