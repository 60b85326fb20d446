"""Receipt documents Mẫu 01–03: barcodes that scan, .docx files that say the right things, a PDF that prints.

The scanning checks use the real zbarimg, and the PDF checks the real LibreOffice
and poppler; each is skipped locally and fails under CI when the tool is missing.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import docx
import pytest

from engine.documents import (
    ComponentLine,
    PdfConversionError,
    PdfUnavailable,
    ReceiptData,
    code128_png,
    code128_svg,
    qr_png,
    qr_svg,
    render_docx,
    render_pdf,
)
from engine.documents import render as render_module
from engine.documents.dates import clock_date, place_date
from tests.conftest import require_part

CODE = "000.00.01.H10-261124-0001"
URL = f"https://motcua.binhphuoc.gov.vn/tra-cuu/{CODE}"
APPLICANT = "Nguyễn Thị Ngọc Ánh"


def make_receipt(form: str = "mau-01", **changes: object) -> ReceiptData:
    receipt = ReceiptData(
        form=form,
        agency_name="Ủy ban nhân dân tỉnh Bình Phước",
        unit_name="Trung tâm Phục vụ hành chính công tỉnh",
        place="Bình Phước",
        issued_at=datetime(2026, 11, 24, 14, 5),
        dossier_code=CODE,
        lookup_url=URL,
        applicant_name=APPLICANT,
        id_number="070186001234",
        address="Số 12, đường Trần Hưng Đạo, phường Đồng Xoài, tỉnh Bình Phước",
        phone="0912 345 678",
        email="ngocanh@example.vn",
        procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        procedure_code="1.009994",
        components=(
            ComponentLine("Đơn đề nghị cấp giấy phép xây dựng", originals=1, reason="Thiếu chữ ký của chủ đầu tư"),
            ComponentLine("Giấy chứng nhận quyền sử dụng đất", certified_copies=1, reason="Bản sao chưa chứng thực"),
            ComponentLine("Bản vẽ thiết kế xây dựng", originals=2, photocopies=1, reason="Thiếu mặt bằng móng"),
        ),
        sets_count=1,
        legal_time="15 ngày làm việc",
        received_at=datetime(2026, 11, 24, 14, 5),
        due_at=datetime(2026, 12, 15, 16, 30),
        return_place="Bộ phận Tiếp nhận và Trả kết quả",
        fee="75.000 đồng",
        register_book="01/2026",
        register_number="0001",
        officer_name="Trần Văn Đức",
        reason="Thủ tục không thuộc thẩm quyền giải quyết của Trung tâm & cần nộp tại UBND xã.",
        contact="điện thoại 0271 3879 123",
    )
    return dataclasses.replace(receipt, **changes)


def docx_text(content: bytes) -> str:
    """Every paragraph of the document, table cells included, one per line."""
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def zbar(image: Path) -> list[str]:
    require_part(shutil.which("zbarimg") is not None, "zbarimg (Debian zbar-tools)")
    result = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True, timeout=60)
    return result.stdout.splitlines()


# --- barcodes ----------------------------------------------------------------------------------


def test_code128_png_scans_to_exactly_the_dossier_code(tmp_path: Path):
    image = tmp_path / "code.png"
    image.write_bytes(code128_png(CODE))
    assert zbar(image) == [CODE]


def test_qr_png_scans_to_the_lookup_url(tmp_path: Path):
    image = tmp_path / "qr.png"
    image.write_bytes(qr_png(URL))
    assert zbar(image) == [URL]


def test_svgs_are_inline_elements_without_prolog():
    for svg in (code128_svg(CODE), qr_svg(URL + "?a=1&b=2")):
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert "<?xml" not in svg
    assert 'aria-label="000.00.01.H10-261124-0001"' in code128_svg(CODE)
    assert "&amp;b=2" in qr_svg(URL + "?a=1&b=2")


def test_barcodes_refuse_empty_input():
    with pytest.raises(ValueError):
        code128_png("")
    with pytest.raises(ValueError):
        qr_png("")


# --- dates -------------------------------------------------------------------------------------


def test_dates_follow_the_administrative_style():
    assert place_date("Bình Phước", datetime(2026, 2, 5)) == "Bình Phước, ngày 05 tháng 02 năm 2026"
    assert place_date("Hà Nội", datetime(2026, 11, 24)) == "Hà Nội, ngày 24 tháng 11 năm 2026"
    assert clock_date(datetime(2026, 3, 9, 7, 5)) == "07 giờ 05 phút, ngày 09/03/2026"
    assert "giờ" in clock_date(None) and "…" in clock_date(None)


# --- .docx -------------------------------------------------------------------------------------


def test_mau_01_docx_has_applicant_code_and_appointment():
    text = docx_text(render_docx(make_receipt("mau-01")))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "ỦY BAN NHÂN DÂN TỈNH BÌNH PHƯỚC" in text
    assert "Bình Phước, ngày 24 tháng 11 năm 2026" in text
    assert APPLICANT in text and CODE in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 30 phút, ngày 15/12/2026" in text
    assert "Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 24/11/2026" in text
    assert "Quyển số: 01/2026" in text and "Số thứ tự: 0001" in text
    assert "Bản vẽ thiết kế xây dựng" in text
    assert "{{" not in text and "{%" not in text


def test_mau_02_docx_lists_every_reason():
    text = docx_text(render_docx(make_receipt("mau-02")))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert APPLICANT in text and CODE in text
    for line in make_receipt().components:
        assert line.reason in text
    assert "NGƯỜI HƯỚNG DẪN" in text and "điện thoại 0271 3879 123" in text


def test_mau_03_docx_gives_the_refusal_reason():
    text = docx_text(render_docx(make_receipt("mau-03")))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert APPLICANT in text and CODE in text
    assert "không tiếp nhận, giải quyết hồ sơ này với lý do" in text
    assert make_receipt().reason in text  # "&" survives autoescaping


def test_optional_organisation_shows_only_when_given():
    assert "Tổ chức:" not in docx_text(render_docx(make_receipt()))
    receipt = make_receipt(organisation_name="Công ty TNHH Xây dựng Đồng Xoài", tax_code="3801234567")
    text = docx_text(render_docx(receipt))
    assert "Tổ chức: Công ty TNHH Xây dựng Đồng Xoài; mã số thuế: 3801234567" in text


def test_missing_due_date_prints_blanks_to_fill_by_hand():
    text = docx_text(render_docx(make_receipt(due_at=None, email="")))
    assert "Thời gian trả kết quả giải quyết hồ sơ: …… giờ …… phút" in text
    assert "Email: ……" in text


def test_unknown_form_is_refused():
    with pytest.raises(ValueError):
        render_docx(make_receipt("mau-09"))


def test_pdf_unavailable_without_libreoffice(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(render_module, "soffice_binary", lambda: None)
    with pytest.raises(PdfUnavailable, match="LibreOffice"):
        render_pdf(make_receipt())


# --- PDF ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mau_01_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_part(render_module.soffice_binary() is not None, "LibreOffice (Debian libreoffice-writer-nogui)")
    require_part(shutil.which("pdftoppm") is not None, "poppler-utils")
    path = tmp_path_factory.mktemp("pdf") / "mau_01.pdf"
    path.write_bytes(render_pdf(make_receipt("mau-01")))
    return path


def test_mau_01_pdf_has_pages_and_the_text(mau_01_pdf: Path):
    assert mau_01_pdf.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(mau_01_pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 1
    text = subprocess.run(["pdftotext", "-layout", str(mau_01_pdf), "-"], capture_output=True, text=True).stdout
    assert CODE in text
    assert APPLICANT in text  # diacritics survive the round trip through the fonts


def test_slow_conversion_is_stopped():
    require_part(render_module.soffice_binary() is not None, "LibreOffice (Debian libreoffice-writer-nogui)")
    with pytest.raises(PdfConversionError, match="giây"):
        render_pdf(make_receipt(), timeout=0.2)


def test_printed_mau_01_scans(mau_01_pdf: Path, tmp_path: Path):
    """The barcode and QR read back from the page rendered at 200 dpi: the printed receipt scans."""
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(mau_01_pdf), str(tmp_path / "page")],
                   check=True, timeout=60)  # fmt: skip
    (page,) = tmp_path.glob("page*.png")
    assert sorted(zbar(page)) == sorted([CODE, URL])
