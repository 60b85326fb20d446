"""Processing in a real Chromium: a leader delegates, the deputy assigns, the leader recalls and
reassigns, the specialist completes, the result is approved and returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, expect

from engine import clock
from tests.e2e.test_dossier_journey import NAMES, finish_task, log_in, open_task
from tests.factories import APPLICANT, PERMIT

pytestmark = pytest.mark.e2e

def receive_by_api(context: BrowserContext) -> str:
    """The counter receives a permit dossier through the API (the counter pages have their own test)."""
    api = context.request
    token = api.post("/api/v1/tokens", data={"username": "motcua", "password": "demo"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    procedure = next(p for p in api.get("/api/v1/procedures", headers=headers).json() if p["code"] == PERMIT)
    body = {"procedure_code": PERMIT, "applicant": APPLICANT, "components": [c["id"] for c in procedure["components"]]}
    response = api.post("/api/v1/dossiers", data=body, headers=headers)
    assert response.status == 201, response.text()
    return response.json()["code"]


def test_delegate_assign_recall_reassign_approve_return(new_context: Callable[[], BrowserContext]) -> None:
    code = receive_by_api(new_context())
    leader, deputy, specialist, director, counter = (new_context().new_page() for _ in range(5))

    # The department head is going away: the deputy leads until the end of tomorrow.
    log_in(leader, "truongphong")
    leader.get_by_role("navigation").get_by_role("link", name="Ủy quyền").click()
    leader.get_by_label("Người được ủy quyền").select_option(label=NAMES["phophong"])
    leader.get_by_label("Đến hết ngày").fill((clock.today() + timedelta(days=1)).isoformat())
    leader.get_by_label("Lý do").fill("Đi công tác")
    leader.get_by_role("button", name="Ủy quyền").click()
    expect(leader.locator(".flash.success")).to_contain_text(f"Đã ủy quyền cho {NAMES['phophong']}")
    expect(leader.locator("#delegations")).to_contain_text("Đang hiệu lực")

    # The deputy sees the head's work and assigns the dossier, each specialist shown with their load.
    log_in(deputy, "phophong")
    open_task(deputy, code, "Phân công thụ lý")
    deputy.get_by_label("Chuyên viên thụ lý").select_option(label=f"{NAMES['chuyenvien']} (0 việc đang xử lý)")
    finish_task(deputy, code, "Phân công thụ lý", "Thẩm định hồ sơ")
    deputy.goto(f"/ho-so/{code}")
    expect(deputy.locator("#history > li").last).to_contain_text(
        f"{NAMES['phophong']}, được ủy quyền bởi {NAMES['truongphong']}: Phân công thụ lý"
    )
    expect(deputy.locator("#history > li").last).to_contain_text(NAMES["chuyenvien"])

    # The head recalls it before the specialist has acted, and gives it to another specialist.
    leader.goto(f"/ho-so/{code}")
    leader.locator("#open-tasks").get_by_role("button", name="Thu hồi").click()
    expect(leader.locator(".flash.success")).to_have_text("Đã thu hồi hồ sơ về bước của bạn.")
    expect(leader.locator("#history > li").last).to_contain_text("Thẩm định hồ sơ")
    log_in(specialist, "chuyenvien")
    specialist.goto("/cong-viec")
    expect(specialist.locator("#inbox tbody tr").filter(has_text=code)).to_have_count(0)
    open_task(leader, code, "Phân công thụ lý")
    leader.get_by_label("Chuyên viên thụ lý").select_option(label=f"{NAMES['chuyenvien2']} (0 việc đang xử lý)")
    finish_task(leader, code, "Phân công thụ lý", "Thẩm định hồ sơ")

    # The second specialist examines, with a remark for the others on the dossier page.
    log_in(specialist, "chuyenvien2")
    specialist.goto(f"/ho-so/{code}")
    specialist.get_by_role("button", name="Gửi ý kiến").click()
    expect(specialist.locator("#body").locator("..").get_by_role("alert")).to_have_text("Hãy nhập ý kiến.")
    specialist.get_by_label("Ý kiến của bạn").fill("Đã đối chiếu bản vẽ với hiện trạng")
    specialist.get_by_role("button", name="Gửi ý kiến").click()
    expect(specialist.locator("#comments")).to_contain_text("Đã đối chiếu bản vẽ với hiện trạng")
    open_task(specialist, code, "Thẩm định hồ sơ")
    specialist.get_by_label("Đủ điều kiện, đề nghị cấp kết quả").check()
    specialist.get_by_label("Kết quả thẩm định").fill("Hồ sơ đủ điều kiện cấp phép")
    finish_task(specialist, code, "Thẩm định hồ sơ", "Phê duyệt, ký kết quả")

    log_in(director, "lanhdao")
    open_task(director, code, "Phê duyệt, ký kết quả")
    director.get_by_label("Đồng ý, ký duyệt").check()
    finish_task(director, code, "Phê duyệt, ký kết quả", "Trả kết quả")

    log_in(counter, "motcua")
    open_task(counter, code, "Trả kết quả")
    counter.get_by_label("Người nhận kết quả").fill(APPLICANT["full_name"])
    counter.get_by_label("Trực tiếp tại bộ phận một cửa").check()
    finish_task(counter, code, "Trả kết quả", None)
    counter.goto(f"/ho-so/{code}")
    expect(counter.locator("dl.summary")).to_contain_text("10 · Đã trả kết quả")
    expect(counter.get_by_role("link", name="Kết quả giải quyết")).to_be_visible()
    actors = counter.locator("#history > li strong").all_inner_texts()
    assert actors == [
        NAMES["motcua"],
        f"{NAMES['phophong']}, được ủy quyền bởi {NAMES['truongphong']}",
        NAMES["truongphong"],
        NAMES["truongphong"],
        NAMES["chuyenvien2"],
        NAMES["lanhdao"],
        NAMES["motcua"],
    ], actors
    expect(counter).to_have_url(re.compile(rf"/ho-so/{re.escape(code)}$"))
