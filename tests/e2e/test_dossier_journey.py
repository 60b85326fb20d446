"""One dossier's whole journey, through the UI only, in a real Chromium.

Counter receives (after a typing mistake) → department leader assigns →
specialist examines → agency leader rejects → specialist examines again →
agency leader approves → counter returns the result → anyone looks the code up
on the public page and sees "Đã trả kết quả", without the applicant's personal data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.factories import APPLICANT, PERMIT

pytestmark = pytest.mark.e2e

PERMIT_NAME = "Cấp giấy phép xây dựng nhà ở riêng lẻ"
CODE_RE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}")
# A tiny but real PDF, as a scanner would produce: the server checks content, not names.
SCAN_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# Demo staff (engine/demo.py), password "demo".
COUNTER, LEADER, SPECIALIST, DIRECTOR = "motcua", "truongphong", "chuyenvien", "lanhdao"
NAMES = {
    COUNTER: "Nguyễn Thị Mai",
    LEADER: "Lê Hoàng Cường",
    SPECIALIST: "Trần Văn Bình",
    DIRECTOR: "Phạm Minh Đức",
    "chuyenvien2": "Hoàng Thị Lan",
    "phophong": "Vũ Đức Thắng",
    "thietke": "Võ Thị Hạnh",
}


def log_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/cong-viec$"))
    expect(page.locator(".flash.success")).to_contain_text(f"Xin chào {NAMES[username]}.")
    expect(page.locator(".topbar .who")).to_contain_text(NAMES[username])


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap$"))
    expect(page.locator(".flash.success")).to_have_text("Bạn đã đăng xuất.")
    page.goto("/cong-viec")  # the session is really gone: back to the login page
    expect(page).to_have_url(re.compile(r"/dang-nhap\?next="))


def open_task(page: Page, code: str, title: str) -> None:
    """From the inbox, open the task ``title`` of dossier ``code``."""
    page.goto("/cong-viec")
    row = page.locator("#inbox tbody tr").filter(has_text=code)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(title)
    row.get_by_role("link", name="Xử lý").click()
    expect(page).to_have_url(re.compile(r"/cong-viec/[^/]+$"))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("dd.code")).to_have_text(code)


def finish_task(page: Page, code: str, title: str, next_step: str | None) -> None:
    """Submit the open task form and check the flash and that the task left the inbox."""
    page.get_by_role("button", name="Hoàn thành và chuyển tiếp").click()
    expect(page).to_have_url(re.compile(r"/cong-viec$"))
    after = f" Bước tiếp theo: {next_step}." if next_step else " Hồ sơ đã hoàn thành quy trình."
    expect(page.locator(".flash.success")).to_have_text(f"Đã hoàn thành “{title}” cho hồ sơ {code}.{after}")
    expect(page.locator("#inbox tbody tr").filter(has_text=code)).to_have_count(0)


def examine(page: Page, code: str, text: str) -> None:
    open_task(page, code, "Thẩm định hồ sơ")
    page.get_by_label("Đủ điều kiện, đề nghị cấp kết quả").check()
    page.get_by_label("Kết quả thẩm định").fill(text)
    finish_task(page, code, "Thẩm định hồ sơ", "Phê duyệt, ký kết quả")


def decide(page: Page, code: str, approve: bool, note: str) -> None:
    open_task(page, code, "Phê duyệt, ký kết quả")
    label = "Đồng ý, ký duyệt" if approve else "Không đồng ý, trả lại chuyên viên"
    page.get_by_label(label).check()
    page.get_by_label("Ý kiến").fill(note)
    finish_task(page, code, "Phê duyệt, ký kết quả", "Trả kết quả" if approve else "Thẩm định hồ sơ")


def receive_at_counter(page: Page, prints: Path) -> str:
    """Receive a permit dossier, first with an 11-digit ID number; returns the new dossier code."""
    page.get_by_role("navigation").get_by_role("link", name="Tiếp nhận hồ sơ").click()
    expect(page).to_have_url(re.compile(r"/mot-cua/tiep-nhan$"))
    page.locator("tr").filter(has_text=PERMIT).get_by_role("link", name="Tiếp nhận").click()
    expect(page).to_have_url(re.compile(rf"/mot-cua/tiep-nhan/{re.escape(PERMIT)}$"))
    expect(page.locator("p.lead")).to_contain_text(PERMIT_NAME)

    boxes = page.locator("input[name=components]")
    expect(boxes.first).to_be_visible()
    assert boxes.count() >= 2
    for i in range(boxes.count()):
        expect(boxes.nth(i)).to_be_checked()  # every component is pre-ticked

    page.locator("#full_name").fill(APPLICANT["full_name"])
    page.locator("#id_number").fill(APPLICANT["id_number"][:11])  # one digit short
    page.locator("#phone").fill(APPLICANT["phone"])
    page.locator("#email").fill(APPLICANT["email"])
    page.locator("#address").fill(APPLICANT["address"])
    page.locator("#channel").select_option(label="Qua bưu chính công ích")
    page.get_by_label("Ghi chú tiếp nhận").fill("Nộp kèm bản vẽ khổ A3")
    first_component = boxes.first.get_attribute("value")
    page.locator(f"input[name='attachment-{first_component}']").set_input_files(
        files=[{"name": "don-de-nghi.pdf", "mimeType": "application/pdf", "buffer": SCAN_PDF}]
    )
    expect(page.locator("#appointment-date")).to_have_text(re.compile(r"\d{2}:\d{2} ngày \d{2}/\d{2}/\d{4}"))
    page.get_by_role("button", name="Tiếp nhận và cấp giấy hẹn (Mẫu 01)").click()

    # Refused, in Vietnamese, next to the field; everything else typed is still there.
    id_field = page.locator(".field.has-error").filter(has=page.locator("#id_number"))
    expect(id_field.get_by_role("alert")).to_have_text("Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số.")
    expect(page.locator(".flash.error")).to_contain_text("Hồ sơ chưa được ghi nhận")
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator("#id_number")).to_have_value(APPLICANT["id_number"][:11])
    expect(page.locator("#full_name")).to_have_value(APPLICANT["full_name"])
    expect(page.locator("#phone")).to_have_value(APPLICANT["phone"])
    expect(page.locator("#email")).to_have_value(APPLICANT["email"])
    expect(page.locator("#address")).to_have_value(APPLICANT["address"])
    expect(page.locator("#channel")).to_have_value("3")
    expect(page.get_by_label("Ghi chú tiếp nhận")).to_have_value("Nộp kèm bản vẽ khổ A3")
    for i in range(boxes.count()):
        expect(boxes.nth(i)).to_be_checked()

    page.locator("#id_number").fill(APPLICANT["id_number"])
    # A browser does not keep chosen files across a re-shown form: choose the scan again.
    page.locator(f"input[name='attachment-{first_component}']").set_input_files(
        files=[{"name": "don-de-nghi.pdf", "mimeType": "application/pdf", "buffer": SCAN_PDF}]
    )
    page.get_by_role("button", name="Tiếp nhận và cấp giấy hẹn (Mẫu 01)").click()

    # The receipt (Mẫu 01) opens, ready to print, with the code as a barcode and a QR code.
    expect(page).to_have_url(re.compile(r"/ho-so/[^/]+/phieu$"))
    code = page.locator("#receipt strong.code").inner_text().strip()
    assert CODE_RE.fullmatch(code), code
    expect(page.locator(".flash.success")).to_have_text(f"Đã tiếp nhận hồ sơ, mã hồ sơ {code}.")
    receipt = page.locator("#receipt")
    expect(receipt.locator(".paper-title")).to_have_text("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
    expect(receipt).to_contain_text(APPLICANT["full_name"])
    expect(receipt.locator("#due")).to_have_text(re.compile(r"\d{2} giờ \d{2} phút, ngày \d{2}/\d{2}/\d{4}"))
    expect(receipt.locator(".barcode svg")).to_have_count(1)
    expect(receipt.locator(".qr svg")).to_have_count(1)
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()  # the print stylesheet leaves only the paper
    printed = page.pdf(format="A4")
    (prints / f"{code}.pdf").write_bytes(printed)
    assert printed.startswith(b"%PDF-")
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Xem hồ sơ").click()
    expect(page).to_have_url(re.compile(rf"/ho-so/{re.escape(code)}$"))
    attachment = page.locator(".attachments a")
    expect(attachment).to_have_text("don-de-nghi.pdf")
    summary = page.locator("dl.summary")
    expect(summary).to_contain_text("Được tiếp nhận")
    expect(summary).to_contain_text(f"{APPLICANT['full_name']} · CCCD {APPLICANT['id_number']}")
    expect(summary).to_contain_text("Bưu chính công ích")
    first = page.locator("#history > li")
    expect(first).to_have_count(1)
    expect(first).to_contain_text(f"{NAMES[COUNTER]}: Tiếp nhận hồ sơ")
    expect(first).to_contain_text("Phân công thụ lý (Sở Xây dựng)")
    expect(first).to_contain_text("Nộp kèm bản vẽ khổ A3")
    return code


def test_dossier_journey_from_counter_to_public_lookup(
    new_context: Callable[[], BrowserContext], tmp_path: Path
) -> None:
    counter, leader, specialist, director = (new_context().new_page() for _ in range(4))

    log_in(counter, COUNTER)
    code = receive_at_counter(counter, tmp_path)
    log_out(counter)

    log_in(leader, LEADER)
    open_task(leader, code, "Phân công thụ lý")
    # Each specialist is offered with the work they already hold.
    leader.get_by_label("Chuyên viên thụ lý").select_option(label=f"{NAMES[SPECIALIST]} (0 việc đang xử lý)")
    finish_task(leader, code, "Phân công thụ lý", "Thẩm định hồ sơ")

    log_in(specialist, SPECIALIST)
    examine(specialist, code, "Đủ điều kiện, lần 1")

    log_in(director, DIRECTOR)
    decide(director, code, approve=False, note="Bổ sung thuyết minh kết cấu")

    examine(specialist, code, "Đã bổ sung thuyết minh, đủ điều kiện")
    decide(director, code, approve=True, note="Đồng ý cấp phép")

    log_in(counter, COUNTER)
    open_task(counter, code, "Trả kết quả")
    expect(counter.locator("dl.summary")).to_contain_text("Đã xử lý xong")
    counter.get_by_label("Người nhận kết quả").fill(APPLICANT["full_name"])
    counter.get_by_label("Trực tiếp tại bộ phận một cửa").check()
    finish_task(counter, code, "Trả kết quả", None)

    # The counter finds the dossier the way a barcode scanner would: code + Enter in the top bar.
    counter.locator("#scan").fill(code)
    counter.locator("#scan").press("Enter")
    expect(counter).to_have_url(re.compile(rf"/ho-so/{re.escape(code)}$"))
    expect(counter.locator("dl.summary")).to_contain_text("10 · Đã trả kết quả")
    expect(counter.locator("dl.summary dt").filter(has_text=re.compile(r"^Đã trả$"))).to_have_count(1)
    history = counter.locator("#history > li")
    expected = [
        (NAMES[COUNTER], "Tiếp nhận hồ sơ", "Phân công thụ lý"),
        (NAMES[LEADER], "Phân công thụ lý", "Thẩm định hồ sơ"),
        (NAMES[SPECIALIST], "Thẩm định hồ sơ", "Phê duyệt, ký kết quả"),
        (NAMES[DIRECTOR], "Phê duyệt, ký kết quả", "Thẩm định hồ sơ"),
        (NAMES[SPECIALIST], "Thẩm định hồ sơ", "Phê duyệt, ký kết quả"),
        (NAMES[DIRECTOR], "Phê duyệt, ký kết quả", "Trả kết quả"),
        (NAMES[COUNTER], "Trả kết quả", APPLICANT["full_name"]),  # the result went to the applicant
    ]
    expect(history).to_have_count(len(expected))
    for i, (actor, step, to_step) in enumerate(expected):
        item = history.nth(i)
        expect(item.locator("strong")).to_have_text(actor)
        expect(item).to_contain_text(f"{actor}: {step}")
        expect(item).to_contain_text(f"→ {to_step}")
    expect(history.nth(3).locator(".note")).to_have_text("Bổ sung thuyết minh kết cấu")
    expect(history.nth(6).locator(".status-after")).to_have_text("Trạng thái: Đã trả kết quả")
    expect(counter.get_by_text("Đang chờ", exact=True)).to_have_count(0)  # no open task is left
    counter.screenshot(path=str(tmp_path / "dossier.png"), full_page=True)

    # Anyone, not logged in, looks the code up on the public page.
    public = new_context().new_page()
    public.goto("/tra-cuu")
    public.get_by_label("Mã hồ sơ (in trên giấy tiếp nhận)").fill(code)
    public.get_by_role("button", name="Tra cứu").click()
    expect(public).to_have_url(re.compile(rf"/tra-cuu/{re.escape(code)}$"))
    expect(public.locator("#result h2")).to_have_text(f"Hồ sơ {code}")
    expect(public.locator("#status")).to_contain_text("Đã trả kết quả")
    expect(public.locator("#result")).to_contain_text(PERMIT_NAME)
    expect(public.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    html = public.content()
    for private in ("full_name", "id_number", "phone", "email", "address"):
        assert APPLICANT[private] not in html, f"the public page shows the applicant's {private}"
    for staff in NAMES.values():
        assert staff not in html, "the public page shows a staff member's name"
