from __future__ import annotations

from datetime import date

from engine.codes import AGENCY_CODE_RE, format_code, is_dossier_code
from engine.roles import Role, role_for_lane
from engine.text import fold


def test_fold_strips_vietnamese_diacritics_and_case():
    assert fold("  Nguyễn  Văn Ấn ") == "nguyen van an"
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"


def test_dossier_code_has_the_regulated_shape():
    code = format_code("000.00.64.H10", date(2023, 5, 15), 11)
    assert code == "000.00.64.H10-230515-0011"
    assert is_dossier_code(code)
    assert not is_dossier_code("000.00.64.H10-230515")
    assert not is_dossier_code("'; DROP TABLE dossier; --")


def test_agency_codes_follow_qcvn_102():
    assert AGENCY_CODE_RE.match("000.00.12.H26")
    assert not AGENCY_CODE_RE.match("H26")


def test_lanes_map_to_roles_without_caring_for_case_or_accents():
    assert role_for_lane("Một cửa") is Role.COUNTER_OFFICER
    assert role_for_lane("lanh dao phong") is Role.DEPARTMENT_LEADER
    assert role_for_lane("Lãnh đạo") is Role.AGENCY_LEADER
    assert role_for_lane("Kế toán") is None
