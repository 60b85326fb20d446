"""Every procedure's scenarios (processes/<procedure>/tests/*.json) run as their own test case.

Below them, the dry-run machinery itself: what a failed scenario says, and how a
scenario file of the wrong shape is explained.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.workflow.scenarios import (
    Scenario,
    ScenarioFormatError,
    Step,
    load_scenarios,
    run_scenario,
    scenario_from_dict,
)
from tests.conftest import FORMS, ROOT

SCENARIO_FILES = sorted(ROOT.glob("processes/*/tests/*.json"))
PERMIT_XML = (ROOT / "processes/cap_phep_xay_dung/process.bpmn").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[f"{p.parent.parent.name}/{p.name}" for p in SCENARIO_FILES])
def test_procedure_scenario(path: Path):
    xml = (path.parent.parent / "process.bpmn").read_text(encoding="utf-8")
    scenarios = load_scenarios(path)
    assert scenarios, f"{path} holds no scenario"
    for scenario in scenarios:
        result = run_scenario(xml, scenario, FORMS)
        assert result.ok, f"{scenario.name}:\n" + "\n".join(result.messages())


def test_scenarios_cover_several_procedures():
    assert len({p.parent.parent.name for p in SCENARIO_FILES}) >= 2


# The runner ---------------------------------------------------------------------------------------------------

RECEIVE_ASSIGN = [Step("task_receive"), Step("task_assign", {"specialist": "2"})]


def test_a_step_that_is_not_ready_names_the_ready_ones():
    result = run_scenario(PERMIT_XML, Scenario("Bỏ qua phân công", [Step("task_receive"), Step("task_examine")]))
    assert result.taken == ["task_receive"] and result.ready == ["task_assign"]
    assert result.failures == [
        "Bước 2 (task_examine): bước này không sẵn sàng để hoàn thành. "
        "Các bước đang chờ: task_assign (“Phân công thụ lý”)."
    ]


def test_unmet_expectations_are_listed_in_vietnamese():
    scenario = Scenario("Sai mong đợi", RECEIVE_ASSIGN, expect_end=True, expect_open=["task_approve"], expect_status=9)
    result = run_scenario(PERMIT_XML, scenario)
    assert (result.ended, result.ready, result.status) == (False, ["task_examine"], 4)
    assert result.failures == [
        "Mong đợi quy trình kết thúc, nhưng quy trình chưa kết thúc (đang chờ: task_examine).",
        "Mong đợi các bước đang chờ là: task_approve; thực tế là: task_examine.",
        "Mong đợi trạng thái 9 (Đã xử lý xong), thực tế là 4 (Đang xử lý).",
    ]
    assert result.titles["task_examine"] == "Thẩm định hồ sơ"


def test_data_is_checked_against_the_form_when_forms_are_given():
    steps = [*RECEIVE_ASSIGN, Step("task_examine", {"proposal": "maybe"})]
    (failure,) = run_scenario(PERMIT_XML, Scenario("Thiếu dữ liệu", steps), FORMS).failures
    assert failure.startswith("Bước 3 (task_examine): dữ liệu không hợp lệ với biểu mẫu “examine”: ")
    assert "Vui lòng nhập “Kết quả thẩm định”." in failure


def test_an_engine_error_is_reported_not_raised():
    # Without forms the data goes in as given: the gateway's condition then names a missing field.
    steps = [*RECEIVE_ASSIGN, Step("task_examine"), Step("task_approve", {"note": "quên chọn quyết định"})]
    result = run_scenario(PERMIT_XML, Scenario("Thiếu quyết định", steps))
    (failure,) = result.failures
    assert failure.startswith("Bước 4 (task_approve): bộ máy quy trình báo lỗi khi hoàn thành bước “Phê duyệt, ký")
    assert "điều kiện hoặc kịch bản dùng trường “decision” nhưng dữ liệu của các bước trước không có" in failure


def test_a_broken_diagram_gives_problems_and_runs_nothing():
    result = run_scenario(PERMIT_XML.replace('name="Lãnh đạo"', 'name="Bảo vệ"'), Scenario("x", RECEIVE_ASSIGN))
    assert not result.ok and result.taken == [] and result.failures == []
    assert any("Làn này không ứng với vai trò nào" in str(p) for p in result.problems)
    assert run_scenario("<không phải xml", Scenario("x", [])).problems


def test_a_scenario_without_steps_shows_the_first_ready_step():
    result = run_scenario(PERMIT_XML, Scenario("Vừa bắt đầu", [], expect_open=["task_receive"], expect_status=2))
    assert result.ok and result.ready == ["task_receive"]


# Scenario files ----------------------------------------------------------------------------------------------


def test_a_scenario_file_of_the_wrong_shape_is_explained(tmp_path: Path):
    bad = {
        "name": "",
        "steps": [{"step": "task_receive", "data": []}, {"stp": "task_assign"}],
        "expect": {"ended": "yes", "status": 12, "opened": []},
    }
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"name": "x",', encoding="utf-8")
    with pytest.raises(ScenarioFormatError) as caught:
        load_scenarios(tmp_path)
    assert caught.value.errors == [
        "bad.json: thiếu “name” (tên kịch bản, một chuỗi khác rỗng).",
        "bad.json.steps[0].data phải là một đối tượng JSON (tên trường → giá trị).",
        "bad.json.steps[1]: khóa “stp” không được hỗ trợ (chỉ dùng step, data).",
        "bad.json.steps[1].step phải là tên bước BPMN (id của tác vụ người dùng), ví dụ “task_assign”.",
        "bad.json.expect: khóa “opened” không được hỗ trợ (chỉ dùng ended, open, status).",
        "bad.json.expect.ended phải là true hoặc false.",
        "bad.json.expect.status phải là mã trạng thái từ 1 đến 10.",
        "broken.json: không phải JSON hợp lệ (dòng 1, cột 14).",
    ]


def test_a_file_may_hold_a_list_of_scenarios(tmp_path: Path):
    items = [{"name": "Một", "steps": []}, {"name": "Hai", "steps": [{"step": "task_receive"}]}]
    (tmp_path / "two.json").write_text(json.dumps(items), encoding="utf-8")
    assert [(s.name, len(s.steps), s.source) for s in load_scenarios(tmp_path / "two.json")] == [
        ("Một", 0, "two.json"),
        ("Hai", 1, "two.json"),
    ]
    with pytest.raises(ScenarioFormatError, match=r"two\.json\[1\]: thiếu “name”"):
        items[1]["name"] = " "
        (tmp_path / "two.json").write_text(json.dumps(items), encoding="utf-8")
        load_scenarios(tmp_path)


def test_a_payload_that_is_not_an_object_is_refused():
    with pytest.raises(ScenarioFormatError, match="mỗi kịch bản phải là một đối tượng JSON"):
        scenario_from_dict(["task_receive"])
