"""Public procedure pages: search without diacritics, filters, one procedure's facts and its blank form."""

from __future__ import annotations

import re

from tests.factories import PERMIT
from tests.web.test_result_documents import docx_text


def _listed(html: str) -> list[str]:
    return re.findall(r'href="/thu-tuc/([^"/]+)"', html)


def test_procedures_are_found_without_diacritics_and_with_them(client):
    plain = client.get("/thu-tuc/?q=dang ky khai sinh").get_data(as_text=True)
    accented = client.get("/thu-tuc/?q=Đăng Ký Khai Sinh").get_data(as_text=True)
    assert _listed(plain) == _listed(accented) == ["1.001193"]
    assert "Tìm thấy 1 thủ tục." in plain
    every = client.get("/thu-tuc/").get_data(as_text=True)
    assert len(_listed(every)) == 8
    none = client.get("/thu-tuc/?q=khong co thu tuc nay").get_data(as_text=True)
    assert _listed(none) == [] and "Không có thủ tục nào khớp." in none


def test_procedures_are_filtered_by_field_and_online_level(client):
    civil = _listed(client.get("/thu-tuc/?linh-vuc=HO_TICH").get_data(as_text=True))
    assert "1.001193" in civil and PERMIT not in civil
    fully = _listed(client.get("/thu-tuc/?muc-do=toan_trinh").get_data(as_text=True))
    partly = _listed(client.get("/thu-tuc/?muc-do=mot_phan").get_data(as_text=True))
    assert "1.001193" in fully and PERMIT in partly and not set(fully) & set(partly)
    both = _listed(client.get("/thu-tuc/?linh-vuc=XAY_DUNG&muc-do=toan_trinh").get_data(as_text=True))
    assert both == []


def test_a_procedure_page_gives_its_facts_and_links_to_online_submission(client):
    response = client.get("/thu-tuc/1.001193")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dịch vụ công trực tuyến toàn trình" in html
    assert "Tờ khai đăng ký khai sinh" in html and "1 bản chính" in html
    assert "Trong ngày" in html and "Ủy ban nhân dân tỉnh Bình Phước" in html
    assert 'href="/cong-dan/nop-ho-so/1.001193"' in html and "Nộp trực tuyến" in html
    permit = client.get(f"/thu-tuc/{PERMIT}").get_data(as_text=True)
    assert "Dịch vụ công trực tuyến một phần" in permit and "15 ngày làm việc" in permit
    assert client.get("/thu-tuc/9.999999").status_code == 404


def test_the_blank_application_form_holds_the_procedures_fields_and_components(client):
    response = client.get("/thu-tuc/1.001193/mau-don.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="mau-don_1.001193.docx"'
    text = docx_text(response.data)
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in text
    assert "Họ, chữ đệm, tên người được khai sinh:" in text and "Giới tính: ☐ Nam   ☐ Nữ" in text
    assert "Giấy tờ kèm theo:" in text and "Giấy chứng sinh" in text
    generic = docx_text(client.get(f"/thu-tuc/{PERMIT}/mau-don.docx").data)
    assert "ĐƠN ĐỀ NGHỊ" in generic and "Kính gửi: Ủy ban nhân dân tỉnh Bình Phước" in generic
