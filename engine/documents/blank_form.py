"""The blank application form of a procedure, as a .docx the citizen prints and fills by hand.

Built from what the catalogue knows: the procedure's application form (its fields under forms/),
else a generic request (đơn đề nghị); the applicant's particulars; and the components to attach.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

DOTS = " " + "." * 60


@dataclass(frozen=True)
class BlankField:
    label: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class BlankComponent:
    name: str
    originals: int
    certified_copies: int
    photocopies: int
    required: bool


APPLICANT_FIELDS = (
    BlankField("Họ, chữ đệm, tên người yêu cầu"),
    BlankField("Số định danh cá nhân (CCCD)"),
    BlankField("Nơi cư trú"),
    BlankField("Số điện thoại"),
    BlankField("Email"),
)


def counts_label(originals: int, certified_copies: int, photocopies: int) -> str:
    parts = []
    if originals:
        parts.append(f"{originals} bản chính")
    if certified_copies:
        parts.append(f"{certified_copies} bản sao chứng thực")
    if photocopies:
        parts.append(f"{photocopies} bản sao")
    return ", ".join(parts) or "không quy định số bản"


def _centred(document: Any, text: str, bold: bool = False, size: int = 13) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def blank_form_docx(
    title: str,
    procedure_name: str,
    addressee: str,
    fields: Sequence[BlankField],
    components: Sequence[BlankComponent],
) -> bytes:
    """The form with dotted lines to fill in, ticks for choices, the list of components, a signature block."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    _centred(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    _centred(document, "Độc lập - Tự do - Hạnh phúc", bold=True)
    _centred(document, "")
    _centred(document, title.upper(), bold=True, size=14)
    _centred(document, f"(Thủ tục: {procedure_name})", size=12)
    document.add_paragraph(f"Kính gửi: {addressee}")
    for item in (*APPLICANT_FIELDS, *fields):
        if item.choices:
            document.add_paragraph(f"{item.label}: " + "   ".join(f"☐ {c}" for c in item.choices))
        else:
            document.add_paragraph(f"{item.label}:{DOTS}")
    if components:
        document.add_paragraph("Giấy tờ kèm theo:")
        for number, component in enumerate(components, start=1):
            counts = counts_label(component.originals, component.certified_copies, component.photocopies)
            optional = "" if component.required else " (nếu có)"
            document.add_paragraph(f"{number}. {component.name}{optional}: {counts}")
    document.add_paragraph(
        "Tôi cam đoan những nội dung trên là đúng sự thật và chịu trách nhiệm trước pháp luật về lời khai của mình."
    )
    signature = document.add_paragraph(
        "Làm tại: ................, ngày ..... tháng ..... năm ........\nNGƯỜI YÊU CẦU\n(Ký, ghi rõ họ tên)"
    )
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
