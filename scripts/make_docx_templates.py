#!/usr/bin/env python
"""Build the Word templates in templates_docx/.

Mẫu 01–06 of Thông tư 03/2025/TT-VPCP, Phụ lục I (mau_01.docx … mau_06.docx), and the
result documents: the generic decision (ket_qua_chung.docx), the building permit
(giay_phep_xay_dung.docx) and the birth-registration extract (trich_luc_khai_sinh.docx).

The templates are generated rather than drawn by hand in Word so that their
docxtpl tags stay whole (Word splits a hand-typed ``{{ tag }}`` across runs and
docxtpl then cannot see it) and so that a change of layout is a reviewable diff
of this file. The output is committed; run again after editing:

    .venv/bin/python scripts/make_docx_templates.py

Layout follows Nghị định 30/2020/NĐ-CP: A4 portrait, margins 20/20/30/15 mm,
Times New Roman 13 pt; the agency block on the left, the national motto on the
right, the place and date in italics under it. The variables are those that
engine/documents/render.py (Mẫu 01–03) and engine/documents/notices.py (the rest)
put in the context.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "templates_docx"
FONT = "Times New Roman"
TEXT_WIDTH = Mm(165)  # 210 - 30 - 15
FIXED_TIME = datetime(2025, 9, 15)  # Thông tư 03/2025 date: keeps regenerated files byte-identical


# --- building blocks -------------------------------------------------------------------------


def new_document(title: str):
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(2)
    normal.paragraph_format.line_spacing = 1.0
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "Một Cửa", "Một Cửa"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    return doc


def para(container, *runs, align=None, size=None, space_after=None, space_before=None):
    """A paragraph of runs; each run is text or (text, "b"/"i"/"u" flags). Tags stay in one run."""
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    if space_before is not None:
        p.paragraph_format.space_before = Pt(space_before)
    for item in runs:
        text, flags = (item, "") if isinstance(item, str) else item
        run = p.add_run(text)
        run.bold = "b" in flags or None
        run.italic = "i" in flags or None
        run.underline = "u" in flags or None
        if size:
            run.font.size = Pt(size)
    return p


def cell_para(cell, *runs, **kwargs):
    """Like para() but reuses the empty paragraph a new cell starts with."""
    first = cell.paragraphs[0]
    if not first.runs and len(cell.paragraphs) == 1:
        p = para(cell, *runs, **kwargs)
        first._element.getparent().remove(first._element)
        return p
    return para(cell, *runs, **kwargs)


def table(doc, widths, rows=1, grid=False, indent=None):
    """A fixed-layout table, centred, or shifted by ``indent`` (negative: into the left margin)."""
    t = doc.add_table(rows=rows, cols=len(widths))
    if grid:
        t.style = doc.styles["Table Grid"]
    t.autofit = False
    if indent is None:
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
    else:
        ind = t._tbl.tblPr.makeelement(qn("w:tblInd"), {qn("w:w"): str(round(indent.twips)), qn("w:type"): "dxa"})
        t._tbl.tblPr.find(qn("w:tblLayout")).addprevious(ind)  # schema order: tblInd before tblLayout
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width  # w:gridCol, which LibreOffice lays out from
        for cell in column.cells:
            cell.width = width  # w:tcW, which Word lays out from
    return t


def header(doc, numbered: bool, with_unit: bool = True) -> None:
    """Agency and unit (left), national motto (right); then "Số:" (left) and place, date (right).

    The table reaches 12 mm into the wide left margin so that the agency and the motto fit on one line at 12 pt,
    as on the official forms. Without the unit, the agency itself is the issuer and is printed bold.
    """
    t = table(doc, (Mm(84), Mm(96)), rows=2, indent=Mm(-12))
    left, right = t.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    if with_unit:
        cell_para(left, "{{ agency_upper }}", align=center, size=12, space_after=0)
        cell_para(left, ("{{ unit_upper }}", "bu"), align=center, size=12, space_after=0)
    else:
        cell_para(left, ("{{ agency_upper }}", "bu"), align=center, size=12, space_after=0)
    cell_para(right, ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b"), align=center, size=12, space_after=0)
    cell_para(right, ("Độc lập - Tự do - Hạnh phúc", "bu"), align=center, space_after=0)
    number, date = t.rows[1].cells
    cell_para(number, "Số: {{ number }}" if numbered else "", align=center, space_before=6)
    cell_para(date, ("{{ place_date }}", "i"), align=center, space_before=6)


def title(doc, text: str) -> None:
    para(doc, (text, "b"), align=WD_ALIGN_PARAGRAPH.CENTER, size=14, space_before=12, space_after=6)


def code_block(doc) -> None:
    """The dossier code, its Code 128 barcode and the QR code to the public lookup page."""
    t = table(doc, (Mm(130), Mm(35)))
    code, qr = t.rows[0].cells
    for cell in (code, qr):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    center = WD_ALIGN_PARAGRAPH.CENTER
    cell_para(code, "Mã hồ sơ: ", ("{{ dossier_code }}", "b"), align=center, space_after=2)
    cell_para(code, "{{ barcode }}", align=center, space_after=0)
    cell_para(qr, "{{ qr }}", align=center, space_after=0)
    cell_para(qr, ("Quét để tra cứu", "i"), align=center, size=10, space_after=0)
    spacer(doc)


def spacer(doc, points: int = 6) -> None:
    """An empty paragraph ``points`` high: Word needs one between tables, and it keeps blocks apart."""
    p = para(doc, space_after=0)
    ppr = p._p.get_or_add_pPr()
    mark = ppr.makeelement(qn("w:rPr"), {})
    ppr.append(mark)  # the paragraph mark's run properties, last child of pPr
    for tag in ("w:sz", "w:szCs"):
        mark.append(mark.makeelement(qn(tag), {qn("w:val"): str(points * 2)}))


def field(doc, label: str, value: str, flags: str = "") -> None:
    para(doc, label, (value, flags))


def applicant(doc, lead: str) -> None:
    """Who submitted: the person, the organisation when there is one, and how to reach them."""
    field(doc, lead, "{{ applicant_name }}", "b")
    para(doc, "{%p if organisation_name %}")
    para(doc, "Tổ chức: ", "{{ organisation_name }}{% if tax_code %}; mã số thuế: {{ tax_code }}{% endif %}")
    para(doc, "{%p endif %}")
    field(doc, "Số định danh cá nhân (CCCD): ", "{{ id_number }}")
    field(doc, "Địa chỉ: ", "{{ address }}")
    p = para(doc, "Số điện thoại: ", "{{ phone }}", "\tEmail: ", "{{ email }}")
    p.paragraph_format.tab_stops.add_tab_stop(Mm(85))
    field(doc, "Nội dung yêu cầu giải quyết: ", "{{ procedure_name }}", "b")
    para(doc, "{%p if procedure_code %}")
    field(doc, "Mã thủ tục hành chính: ", "{{ procedure_code }}")
    para(doc, "{%p endif %}")


def components_table(doc, with_reason: bool) -> None:
    """STT | name | originals | certified copies | photocopies [| reason], one row per component."""
    heads = ["STT", "Tên giấy tờ", "Bản chính", "Bản sao", "Bản chụp"]
    cells = ["{{ loop.index }}", "{{ c.name }}", "{{ c.originals }}", "{{ c.certified_copies }}", "{{ c.photocopies }}"]
    widths = [Mm(12), Mm(84), Mm(23), Mm(23), Mm(23)]
    if with_reason:
        heads[1] = "Thành phần hồ sơ cần bổ sung, hoàn thiện"
        heads.append("Lý do")
        cells.append("{{ c.reason }}")
        widths = [Mm(13), Mm(54), Mm(17), Mm(17), Mm(17), Mm(47)]
    t = table(doc, widths, rows=4, grid=True)
    center = WD_ALIGN_PARAGRAPH.CENTER
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cell_para(cell, (text, "b"), align=center, size=12, space_before=2, space_after=2)
    cell_para(t.rows[1].cells[0], "{%tr for c in components %}")
    for index, (cell, text) in enumerate(zip(t.rows[2].cells, cells, strict=True)):
        align = None if index == 1 or (with_reason and index == 5) else center
        cell_para(cell, text, align=align, size=12, space_before=2, space_after=2)
    cell_para(t.rows[3].cells[0], "{%tr endfor %}")
    repeat = t.rows[0]._tr.get_or_add_trPr()
    repeat.append(repeat.makeelement(qn("w:tblHeader"), {}))
    spacer(doc)


def signatures(doc, *roles: str) -> None:
    """Signature blocks side by side; a single block sits on the right, as on official forms."""
    roles = roles if len(roles) == 2 else ("", *roles)
    t = table(doc, (Mm(82), Mm(83)))
    center = WD_ALIGN_PARAGRAPH.CENTER
    for cell, role in zip(t.rows[0].cells, roles, strict=True):
        if not role:
            continue
        title_, name = role.split("|")
        cell_para(cell, (title_, "b"), align=center, space_after=0, space_before=6)
        cell_para(cell, ("(Ký và ghi rõ họ tên)", "i"), align=center, space_after=40)
        cell_para(cell, (name, "b"), align=center, space_after=0)


def save(doc, name: str) -> None:
    """Save with fixed zip timestamps so a rerun without changes leaves git clean."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info))
    (OUT / name).write_bytes(out.getvalue())
    print(f"wrote {OUT / name}")


# --- the three forms -------------------------------------------------------------------------


def mau_01() -> None:
    doc = new_document("Mẫu 01 - Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    header(doc, numbered=False)
    title(doc, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
    code_block(doc)
    applicant(doc, "{{ unit_name }} tiếp nhận hồ sơ của Ông (Bà): ")
    para(doc, "1. Thành phần hồ sơ nộp gồm:")
    components_table(doc, with_reason=False)
    field(doc, "2. Số lượng hồ sơ: ", "{{ sets_count }} (bộ)")
    field(doc, "3. Thời gian giải quyết hồ sơ theo quy định là: ", "{{ legal_time }}")
    field(doc, "4. Thời gian nhận hồ sơ: ", "{{ received_text }}")
    field(doc, "5. Thời gian trả kết quả giải quyết hồ sơ: ", "{{ due_text }}", "b")
    field(doc, "6. Đăng ký nhận kết quả tại: ", "{{ return_place }}")
    field(doc, "7. Phí, lệ phí: ", "{{ fee }}")
    para(doc, "Vào Sổ theo dõi hồ sơ, Quyển số: ", "{{ register_book }}", "    Số thứ tự: ", "{{ register_number }}")
    signatures(doc, "NGƯỜI NỘP HỒ SƠ|{{ applicant_name }}", "NGƯỜI TIẾP NHẬN HỒ SƠ|{{ officer_name }}")
    para(doc, ("Ghi chú:", "bi"), size=11, space_before=6, space_after=0)
    para(
        doc,
        (
            "- Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 bản; 01 bản giao cho người nộp "
            "hồ sơ; 01 bản lưu tại {{ unit_name }}.",
            "i",
        ),
        size=11,
        space_after=0,
    )
    para(doc, ("- Tra cứu tình trạng hồ sơ bằng mã hồ sơ hoặc quét mã QR ở trên.", "i"), size=11)
    save(doc, "mau_01.docx")


def mau_02() -> None:
    doc = new_document("Mẫu 02 - Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    header(doc, numbered=True)
    title(doc, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ")
    code_block(doc)
    applicant(doc, "Hồ sơ của Ông (Bà): ")
    field(doc, "Thời gian nhận hồ sơ: ", "{{ received_text }}")
    para(
        doc,
        "Sau khi xem xét, đối chiếu hồ sơ với quy định, {{ unit_name }} đề nghị Ông (Bà) bổ sung, "
        "hoàn thiện hồ sơ gồm những nội dung sau:",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    components_table(doc, with_reason=True)
    para(
        doc,
        "Các nội dung trên được hướng dẫn đầy đủ, một lần. Trong quá trình bổ sung, hoàn thiện hồ sơ, "
        "nếu có vướng mắc, Ông (Bà) liên hệ với {{ officer_name }}{% if contact %}, {{ contact }}"
        "{% endif %} để được hướng dẫn./.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    signatures(doc, "NGƯỜI HƯỚNG DẪN|{{ officer_name }}")
    spacer(doc)
    save(doc, "mau_02.docx")


def mau_03() -> None:
    doc = new_document("Mẫu 03 - Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    header(doc, numbered=True)
    title(doc, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ")
    code_block(doc)
    applicant(doc, "{{ unit_name }} tiếp nhận hồ sơ của Ông (Bà): ")
    field(doc, "Thời gian nhận hồ sơ: ", "{{ received_text }}")
    para(
        doc,
        "Qua xem xét, {{ unit_name }} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do: ",
        ("{{ reason }}", "b"),
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    para(doc, "Xin thông báo để Ông (Bà) được biết và thực hiện./.")
    signatures(doc, "NGƯỜI TIẾP NHẬN HỒ SƠ|{{ officer_name }}")
    spacer(doc)
    save(doc, "mau_03.docx")


# --- the documents of processing: Mẫu 04, 05, 06 ----------------------------------------------


def justified(doc, *runs, **kwargs):
    return para(doc, *runs, align=WD_ALIGN_PARAGRAPH.JUSTIFY, **kwargs)


def signer(doc, capacity: str, name: str = "{{ signer_name }}", note: str = "(Ký, ghi rõ họ tên và đóng dấu)") -> None:
    """The single signature block on the right: capacity (may hold template tags), how to sign, the name."""
    t = table(doc, (Mm(75), Mm(90)))
    left, right = t.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    cell_para(left, ("Nơi nhận:", "bi"), size=12, space_before=6, space_after=0)
    cell_para(left, "- {{ recipient }};", size=11, space_after=0)
    cell_para(left, "- Lưu: VT{% if archive %}, {{ archive }}{% endif %}.", size=11, space_after=0)
    cell_para(right, (capacity, "b"), align=center, space_after=0, space_before=6)
    cell_para(right, (note, "i"), align=center, space_after=48)
    cell_para(right, (name, "b"), align=center, space_after=0)


def mau_04() -> None:
    doc = new_document("Mẫu 04 - Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết")
    header(doc, numbered=True)
    title(doc, "VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")
    para(doc, "Kính gửi: Ông (Bà) ", ("{{ applicant_name }}", "b"), align=WD_ALIGN_PARAGRAPH.CENTER, space_after=8)
    justified(
        doc,
        "Vào lúc {{ received_text }}, {{ receiving_unit }} tiếp nhận giải quyết hồ sơ của Ông (Bà) ",
        ("{{ applicant_name }}", "b"),
        "{% if address %}, địa chỉ: {{ address }}{% endif %}.",
    )
    field(doc, "Mã hồ sơ: ", "{{ dossier_code }}", "b")
    field(doc, "Nội dung yêu cầu giải quyết: ", "{{ procedure_name }}")
    field(doc, "Thời gian hẹn trả kết quả giải quyết hồ sơ: ", "{{ previous_due_text }}")
    justified(
        doc,
        "Tuy nhiên đến nay, ",
        ("{{ unit_at_fault }}", "b"),
        " chưa trả kết quả giải quyết hồ sơ cho Ông (Bà) đúng hẹn. Lý do: ",
        "{{ reason }}",
    )
    justified(
        doc,
        "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông (Bà). {{ agency_name }} thành thật "
        "xin lỗi Ông (Bà) và sẽ trả kết quả giải quyết hồ sơ cho Ông (Bà) vào lúc ",
        ("{{ new_due_text }}", "b"),
        "{% if sequence > 1 %} (gia hạn lần thứ {{ sequence }}){% endif %}.",
    )
    para(doc, "Xin trân trọng cảm ơn sự hợp tác của Ông (Bà)./.")
    signer(doc, "{{ signer_title }}")
    save(doc, "mau_04.docx")


def mau_05() -> None:
    doc = new_document("Mẫu 05 - Thông báo dừng giải quyết hồ sơ")
    header(doc, numbered=True)
    title(doc, "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ")
    para(doc, "Kính gửi: Ông (Bà) ", ("{{ applicant_name }}", "b"), align=WD_ALIGN_PARAGRAPH.CENTER, space_after=8)
    justified(
        doc,
        "Vào lúc {{ received_text }}, {{ receiving_unit }} tiếp nhận hồ sơ của Ông (Bà) ",
        ("{{ applicant_name }}", "b"),
        "{% if id_number %}, số định danh cá nhân: {{ id_number }}{% endif %}"
        "{% if address %}, địa chỉ: {{ address }}{% endif %}.",
    )
    field(doc, "Mã hồ sơ: ", "{{ dossier_code }}", "b")
    field(doc, "Nội dung yêu cầu giải quyết: ", "{{ procedure_name }}")
    justified(
        doc,
        "{{ agency_name }} thông báo dừng giải quyết hồ sơ nêu trên kể từ {{ stopped_text }}, với lý do: ",
        ("{{ reason }}", "b"),
    )
    justified(
        doc,
        "Thành phần hồ sơ đã nộp được trả lại cho Ông (Bà) tại {{ receiving_unit }} (nếu có). "
        "Xin thông báo để Ông (Bà) được biết./.",
    )
    signer(doc, "{{ signer_title }}")
    save(doc, "mau_05.docx")


def control_table(doc) -> None:
    """TÊN CƠ QUAN | THỜI GIAN GIAO, NHẬN HỒ SƠ | KẾT QUẢ GIẢI QUYẾT HỒ SƠ | GHI CHÚ: one row per handover."""
    heads = [
        "TÊN CƠ QUAN",
        "THỜI GIAN GIAO, NHẬN HỒ SƠ",
        "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn)",
        "GHI CHÚ",
    ]
    t = table(doc, (Mm(50), Mm(52), Mm(28), Mm(35)), rows=4, grid=True)
    center = WD_ALIGN_PARAGRAPH.CENTER
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cell_para(cell, (text, "b"), align=center, size=11, space_before=2, space_after=2)
    cell_para(t.rows[1].cells[0], "{%tr for r in rows %}")
    unit, when, outcome, note = t.rows[2].cells
    cell_para(unit, ("{{ r.index }}. Giao: ", "b"), "{{ r.giver_unit }}", size=11, space_before=2, space_after=2)
    cell_para(unit, ("Nhận: ", "b"), "{{ r.receiver_unit }}", size=11, space_after=2)
    cell_para(when, "{{ r.time_text }}", size=11, space_before=2, space_after=2)
    cell_para(when, ("Người giao: ", "i"), "{{ r.giver_name }}", size=11, space_after=2)
    cell_para(when, ("Người nhận: ", "i"), "{{ r.receiver_name }}", size=11, space_after=2)
    outcome.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    cell_para(outcome, "{{ r.outcome }}", align=center, size=11, space_before=2, space_after=2)
    cell_para(note, "{{ r.note }}", size=11, space_before=2, space_after=2)
    cell_para(t.rows[3].cells[0], "{%tr endfor %}")
    repeat = t.rows[0]._tr.get_or_add_trPr()
    repeat.append(repeat.makeelement(qn("w:tblHeader"), {}))
    spacer(doc)


def mau_06() -> None:
    doc = new_document("Mẫu 06 - Phiếu kiểm soát quá trình giải quyết hồ sơ")
    header(doc, numbered=False)
    title(doc, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
    t = table(doc, (Mm(165),))
    cell = t.rows[0].cells[0]
    center = WD_ALIGN_PARAGRAPH.CENTER
    cell_para(cell, "Mã hồ sơ: ", ("{{ dossier_code }}", "b"), align=center, space_after=2)
    cell_para(cell, "{{ barcode }}", align=center, space_after=0)
    cell_para(cell, ("(Liên: Lưu tại {{ unit_name }})", "i"), align=center, size=11, space_after=0)
    spacer(doc)
    field(doc, "Người nộp hồ sơ: ", "{{ applicant_name }}", "b")
    field(doc, "Nội dung yêu cầu giải quyết: ", "{{ procedure_name }}")
    field(doc, "Cơ quan (bộ phận) giải quyết hồ sơ: ", "{{ handling_unit }}")
    field(doc, "Cơ quan phối hợp giải quyết hồ sơ: ", "{{ cooperating_units }}")
    field(doc, "Thời gian nhận hồ sơ: ", "{{ received_text }}")
    field(doc, "Thời gian hẹn trả kết quả: ", "{{ due_text }}")
    control_table(doc)
    para(
        doc,
        ("Ghi chú: Kết quả giải quyết hồ sơ so với thời hạn của từng bước, tính theo ngày: trước hạn, đúng hạn "
         "(kể cả bước không có thời hạn riêng) hoặc quá hạn.", "i"),
        size=11,
    )  # fmt: skip
    save(doc, "mau_06.docx")


# --- result documents ------------------------------------------------------------------------


def draft_marks(doc) -> None:
    """The "DỰ THẢO" marks, in the page header and at the top of the body, shown only on a draft."""
    section = doc.sections[0]
    section.header.is_linked_to_previous = False
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = head.add_run("{% if draft %}DỰ THẢO – KHÔNG CÓ GIÁ TRỊ PHÁP LÝ{% endif %}")
    run.bold = True
    run.font.size = Pt(10)
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    para(doc, "{%p if draft %}")
    p = para(doc, ("DỰ THẢO", "b"), align=WD_ALIGN_PARAGRAPH.CENTER, size=20, space_after=6)
    p.runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    para(doc, "{%p endif %}")


def verification_block(doc) -> None:
    """The verification code and the QR code to the public verification page; a note instead on a draft."""
    para(doc, "{%p if not draft %}")
    t = table(doc, (Mm(128), Mm(37)), grid=True)
    text, qr = t.rows[0].cells
    for cell in (text, qr):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    cell_para(text, "Mã xác minh: ", ("{{ verification_code }}", "b"), size=12, space_before=2, space_after=2)
    cell_para(
        text,
        ("Kiểm tra văn bản này do hệ thống cấp: quét mã QR hoặc truy cập {{ verify_url }}", "i"),
        size=10,
        space_after=2,
    )
    cell_para(qr, "{{ qr }}", align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    para(doc, "{%p else %}")
    para(doc, ("Mã xác minh và mã QR được cấp khi văn bản được ký ban hành.", "i"), size=11, space_before=6)
    para(doc, "{%p endif %}")


def ket_qua_chung() -> None:
    """Quyết định về việc giải quyết thủ tục hành chính: the result of any procedure without its own form."""
    doc = new_document("Quyết định về việc giải quyết thủ tục hành chính")
    draft_marks(doc)
    header(doc, numbered=True, with_unit=False)
    title(doc, "QUYẾT ĐỊNH")
    para(doc, ("Về việc giải quyết thủ tục hành chính “{{ procedure_name }}”", "b"),
         align=WD_ALIGN_PARAGRAPH.CENTER, space_after=10)  # fmt: skip
    para(doc, ("{{ agency_upper }}", "b"), align=WD_ALIGN_PARAGRAPH.CENTER, space_after=8)
    para(doc, "{%p for basis in legal_basis %}")
    justified(doc, ("Căn cứ {{ basis }};", "i"))
    para(doc, "{%p endfor %}")
    justified(
        doc,
        (
            "Căn cứ hồ sơ đề nghị của {{ holder_line }} (mã hồ sơ {{ dossier_code }}), tiếp nhận {{ received_text }};",
            "i",
        ),
    )
    justified(doc, ("Theo đề nghị của {{ unit_name }} tại kết quả thẩm định hồ sơ.", "i"))
    para(doc, ("QUYẾT ĐỊNH:", "b"), align=WD_ALIGN_PARAGRAPH.CENTER, space_before=6, space_after=6)
    justified(
        doc,
        ("Điều 1. ", "b"),
        "Giải quyết thủ tục hành chính “{{ procedure_name }}”{% if procedure_code %} (mã thủ tục "
        "{{ procedure_code }}){% endif %} cho {{ holder_line }}{% if id_number %}, số định danh cá nhân "
        "{{ id_number }}{% endif %}{% if address %}, địa chỉ: {{ address }}{% endif %}.",
    )
    justified(doc, "Kết quả giải quyết: ", ("{{ result_name }}", "b"), ".")
    justified(doc, ("Điều 2. ", "b"), "Kết quả thẩm định hồ sơ: {{ examination }}")
    justified(
        doc,
        ("Điều 3. ", "b"),
        "Quyết định này có hiệu lực kể từ ngày ký. {{ unit_name }}, {{ holder_line }} và các cơ quan, tổ chức, "
        "cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.",
    )
    signer(doc, "{{ signer_title }}")
    verification_block(doc)
    save(doc, "ket_qua_chung.docx")


def giay_phep_xay_dung() -> None:
    """Giấy phép xây dựng (sử dụng cho nhà ở riêng lẻ), after the form of Nghị định 175/2024/NĐ-CP."""
    doc = new_document("Giấy phép xây dựng nhà ở riêng lẻ")
    draft_marks(doc)
    header(doc, numbered=True, with_unit=False)
    title(doc, "GIẤY PHÉP XÂY DỰNG")
    para(doc, ("(Sử dụng cho nhà ở riêng lẻ)", "i"), align=WD_ALIGN_PARAGRAPH.CENTER, space_after=8)
    field(doc, "1. Cấp cho: ", "{{ holder_line }}", "b")
    field(doc, "Địa chỉ: ", "{{ address }}")
    para(doc, "{%p if id_number %}")
    field(doc, "Số định danh cá nhân: ", "{{ id_number }}")
    para(doc, "{%p endif %}")
    field(doc, "2. Được phép xây dựng công trình: ", "{{ f.construction_name }}", "b")
    field(doc, "- Theo thiết kế do: ", "{{ f.design_by }}")
    para(doc, "- Gồm các nội dung sau:")
    field(doc, "+ Vị trí xây dựng: ", "{{ f.construction_site }}")
    field(doc, "+ Cốt nền xây dựng công trình: ", "{{ f.ground_level }}")
    field(doc, "+ Mật độ xây dựng: ", "{{ f.building_density }}")
    field(doc, "+ Chỉ giới đường đỏ, chỉ giới xây dựng: ", "{{ f.red_line }}")
    field(doc, "+ Diện tích xây dựng tầng 1 (tầng trệt): ", "{{ f.building_area }}")
    field(doc, "+ Tổng diện tích sàn: ", "{{ f.total_floor_area }}")
    field(doc, "+ Chiều cao công trình: ", "{{ f.height }}")
    field(doc, "+ Số tầng: ", "{{ f.floors }}")
    field(doc, "3. Giấy tờ về quyền sử dụng đất: ", "{{ f.land_document }}")
    justified(
        doc,
        "4. Giấy phép này có hiệu lực khởi công xây dựng trong thời hạn 12 tháng kể từ ngày cấp; quá thời hạn "
        "trên thì phải đề nghị gia hạn giấy phép xây dựng.",
    )
    justified(doc, "5. Cấp theo hồ sơ mã ", ("{{ dossier_code }}", "b"), ", tiếp nhận {{ received_text }}.")
    para(doc, "{%p if examination %}")
    justified(doc, "6. Ý kiến thẩm định: {{ examination }}")
    para(doc, "{%p endif %}")
    signer(doc, "{{ signer_title }}")
    verification_block(doc)
    doc.add_page_break()  # the back of the permit
    para(doc, ("CHỦ ĐẦU TƯ PHẢI THỰC HIỆN CÁC NỘI DUNG SAU ĐÂY:", "b"), size=12, space_before=8)
    for line in (
        "1. Phải hoàn toàn chịu trách nhiệm trước pháp luật nếu xâm phạm các quyền hợp pháp của các chủ sở hữu "
        "liền kề.",
        "2. Phải thực hiện đúng các quy định của pháp luật về đất đai, về đầu tư xây dựng và Giấy phép xây dựng này.",
        "3. Phải thông báo cho cơ quan có thẩm quyền về quản lý xây dựng tại địa phương trước khi khởi công xây dựng "
        "công trình.",
        "4. Xuất trình Giấy phép xây dựng cho cơ quan có thẩm quyền khi được yêu cầu và treo biển báo tại địa điểm "
        "xây dựng theo quy định.",
        "5. Khi điều chỉnh thiết kế làm thay đổi nội dung của Giấy phép xây dựng thì phải đề nghị điều chỉnh giấy "
        "phép và chờ quyết định của cơ quan cấp giấy phép.",
    ):
        justified(doc, line, size=12, space_after=0)
    save(doc, "giay_phep_xay_dung.docx")


def trich_luc_khai_sinh() -> None:
    """Trích lục khai sinh: the extract of the birth register given with the birth registration."""
    doc = new_document("Trích lục khai sinh")
    draft_marks(doc)
    header(doc, numbered=True, with_unit=False)
    title(doc, "TRÍCH LỤC KHAI SINH")
    para(doc, ("(Bản chính)", "i"), align=WD_ALIGN_PARAGRAPH.CENTER, space_after=8)
    field(doc, "Họ, chữ đệm, tên: ", "{{ f.child_full_name_upper }}", "b")
    field(doc, "Ngày, tháng, năm sinh: ", "{{ f.child_birth_date }}")
    field(doc, "ghi bằng chữ: ", "{{ f.child_birth_date_words }}", "i")
    p = para(doc, "Giới tính: ", "{{ f.child_sex }}", "\tDân tộc: ", "{{ f.ethnicity }}",
             "\tQuốc tịch: ", "{{ f.nationality }}")  # fmt: skip
    p.paragraph_format.tab_stops.add_tab_stop(Mm(50))
    p.paragraph_format.tab_stops.add_tab_stop(Mm(105))
    field(doc, "Nơi sinh: ", "{{ f.birth_place }}")
    field(doc, "Họ, chữ đệm, tên người mẹ: ", "{{ f.mother_full_name }}")
    field(doc, "Họ, chữ đệm, tên người cha: ", "{{ f.father_full_name }}")
    field(doc, "Người đi đăng ký khai sinh: ", "{{ applicant_name }} ({{ f.declarant_relationship }})")
    field(doc, "Nơi đăng ký khai sinh: ", "{{ agency_name }}")
    field(doc, "Ngày, tháng, năm đăng ký: ", "{{ issued_date }}")
    field(doc, "Mã hồ sơ: ", "{{ dossier_code }}")
    signer(doc, "{{ signer_title }}", note="(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)")
    verification_block(doc)
    save(doc, "trich_luc_khai_sinh.docx")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    mau_01()
    mau_02()
    mau_03()
    mau_04()
    mau_05()
    mau_06()
    ket_qua_chung()
    giay_phep_xay_dung()
    trich_luc_khai_sinh()
