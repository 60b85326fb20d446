"""Fill the Mẫu 01–03 templates (docxtpl) and convert them to PDF (LibreOffice).

``fill_template``, ``barcode_image`` and ``qr_image`` serve the other documents too
(engine/documents/notices.py).

The .docx is the document of record: officers can still edit it in Word when a
field needs a hand correction. The PDF is what is printed and handed over; it
comes from LibreOffice because only a real word processor lays out a .docx
faithfully. Each conversion gets its own LibreOffice profile directory, since
two soffice processes sharing one profile block or fail.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from engine.documents.barcodes import code128_png, qr_png
from engine.documents.data import FORMS, ReceiptData
from engine.documents.dates import BLANK, clock_date, place_date

TEMPLATES = Path(__file__).resolve().parents[2] / "templates_docx"
QR_WIDTH = Mm(24)
_TEXT_FIELDS = (
    "agency_name", "unit_name", "dossier_code", "lookup_url", "applicant_name", "id_number", "address",
    "phone", "email", "procedure_name", "procedure_code", "legal_time", "return_place", "fee",
    "register_book", "register_number", "officer_name", "organisation_name", "tax_code", "reason", "contact",
)  # fmt: skip


class PdfUnavailable(Exception):
    """No PDF can be made here (LibreOffice is missing); callers can still offer the .docx."""


class PdfConversionError(PdfUnavailable):
    """LibreOffice is installed but the conversion failed or took too long."""


def template_path(form: str) -> Path:
    if form not in FORMS:
        raise ValueError(f"Không có biểu mẫu {form!r}; chỉ có {', '.join(FORMS)}")
    return TEMPLATES / f"{form.replace('-', '_')}.docx"


def _blank(value: str) -> str:
    """A missing value prints as dotted blanks, as on the paper form, so it can be filled in by hand."""
    return value.strip() or BLANK


def context(data: ReceiptData, tpl: DocxTemplate) -> dict[str, Any]:
    """The template variables: every text field, pre-formatted dates, and the two images."""
    values: dict[str, Any] = {name: getattr(data, name).strip() for name in _TEXT_FIELDS}
    for name in ("id_number", "address", "phone", "email", "legal_time", "return_place", "fee",
                 "register_book", "register_number", "officer_name", "reason"):  # fmt: skip
        values[name] = _blank(values[name])
    values.update(
        agency_upper=data.agency_name.upper(),
        unit_upper=data.unit_name.upper(),
        number=_blank(data.register_number),
        place_date=place_date(data.place, data.issued_at),
        received_text=clock_date(data.received_at),
        due_text=clock_date(data.due_at),
        sets_count=data.sets_count,
        components=data.components,
        barcode=barcode_image(tpl, data.dossier_code),
        qr=qr_image(tpl, data.lookup_url),
    )
    return values


def barcode_image(tpl: DocxTemplate, text: str) -> InlineImage:
    """The Code 128 of ``text`` for a template; its printed size comes from the PNG's DPI."""
    return InlineImage(tpl, io.BytesIO(code128_png(text)))


def qr_image(tpl: DocxTemplate, url: str, width: Mm = QR_WIDTH) -> InlineImage:
    """The QR code to ``url`` for a template, ``width`` wide on paper."""
    return InlineImage(tpl, io.BytesIO(qr_png(url)), width=width)


def fill_template(path: Path, build: Callable[[DocxTemplate], dict[str, Any]]) -> bytes:
    """Render the docxtpl template at ``path`` with the context ``build(tpl)`` returns (it may add images)."""
    tpl = DocxTemplate(path)
    tpl.render(build(tpl), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def render_docx(data: ReceiptData) -> bytes:
    """The filled .docx of ``data.form``."""
    return fill_template(template_path(data.form), lambda tpl: context(data, tpl))


def soffice_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, timeout: float = 60) -> bytes:
    """Convert with ``soffice --headless`` in a private profile; kill the whole process group on timeout."""
    return office_to_pdf(docx, ".docx", timeout)


def office_to_pdf(content: bytes, suffix: str, timeout: float = 60) -> bytes:
    """Convert an office file (``suffix`` ".docx" or ".xlsx") to PDF, as docx_to_pdf does."""
    binary = soffice_binary()
    if binary is None:
        raise PdfUnavailable("Không tạo được bản PDF: máy chủ chưa cài LibreOffice (soffice).")
    with tempfile.TemporaryDirectory(prefix="motcua-pdf-") as tmp:
        work = Path(tmp)
        source = work / f"phieu{suffix}"
        source.write_bytes(content)
        command = [
            binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(work), str(source),
        ]  # fmt: skip
        env = {**os.environ, "HOME": str(work)}  # LibreOffice also writes under $HOME
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfConversionError(f"Tạo bản PDF quá {timeout:g} giây, đã dừng LibreOffice.") from None
        target = work / "phieu.pdf"
        if process.returncode != 0 or not target.exists():
            detail = output.decode(errors="replace").strip()[-300:]
            raise PdfConversionError(f"LibreOffice không tạo được bản PDF (mã {process.returncode}): {detail}")
        return target.read_bytes()


def render_pdf(data: ReceiptData, timeout: float = 60) -> bytes:
    """The printable PDF of ``data.form``."""
    return docx_to_pdf(render_docx(data), timeout=timeout)
