"""The documents of processing for staff (Mẫu 04, 05, 06, the result and its draft) and the public check.

Staff:  /ho-so/<code>/van-ban/<form>.<fmt>   form: mau-01 … mau-06 | result | du-thao; fmt: docx | pdf
        /ho-so/<code>/phieu-kiem-soat         Mẫu 06 laid out for printing on A4
Public: /xac-minh, /xac-minh/<verification code>   what the system issued under a result's code
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import login_required
from markupsafe import Markup

from engine.documents import barcodes
from engine.documents.notices import render_document, render_document_pdf
from engine.documents.render import PdfUnavailable, docx_to_pdf, render_docx, render_pdf
from engine.models import User
from engine.services import result_documents
from engine.services.documents import FORM_TITLES, receipt_data
from engine.services.errors import NotFound
from engine.services.notices import NOTICE_TITLES, mau04_data, mau05_data, mau06_data
from webapp.extensions import db, limiter
from webapp.util import DOWNLOAD_TYPES, actor, file_response, lookup_url

bp = Blueprint("documents", __name__)

DOCUMENT_FORMS = (*FORM_TITLES, *NOTICE_TITLES, "result", "du-thao")
NOT_ISSUED = (
    "Không có văn bản nào do hệ thống cấp với mã xác minh này. Văn bản bạn đang giữ có thể là giả mạo "
    "hoặc mã đã bị nhập sai: hãy kiểm tra lại mã in trên văn bản, hoặc liên hệ cơ quan cấp để xác minh."
)


def dossier_document(user: User, code: str, form: str, fmt: str, sequence: int | None = None) -> tuple[bytes, str]:
    """The content and file name of one document of dossier ``code``; ``PdfUnavailable`` when no PDF can be made.

    Every document a dossier has: the receipts (Mẫu 01–03), the notices (04–06), the result and its
    draft. The pages and the API both serve them through here; NotFound (or Conflict for a receipt the
    dossier did not get) when the dossier has no such document yet.
    """
    session = db.session
    if form in FORM_TITLES:
        receipt = receipt_data(session, user, code, form, lookup_url(code))
        content = render_pdf(receipt) if fmt == "pdf" else render_docx(receipt)
        return content, f"{form}_{receipt.dossier_code}.{fmt}"
    if form == "du-thao":
        docx = result_documents.draft_result(session, user, code)
        return (docx_to_pdf(docx) if fmt == "pdf" else docx), f"du-thao_{code}.{fmt}"
    if form == "result":
        data = result_documents.result_data(session, user, code)
    elif form == "mau-04":
        data = mau04_data(session, user, code, sequence)
    elif form == "mau-05":
        data = mau05_data(session, user, code)
    elif form == "mau-06":
        data = mau06_data(session, user, code)
    else:
        raise NotFound("Không có văn bản này.")
    content = render_document_pdf(data) if fmt == "pdf" else render_document(data)
    return content, f"{'ket-qua' if form == 'result' else form}_{data.dossier_code}.{fmt}"


def sequence_arg() -> int | None:
    """``?lan=<n>``: which extension's Mẫu 04."""
    raw = request.args.get("lan", "")
    return int(raw) if raw.isdigit() else None


@bp.route("/ho-so/<code>/van-ban/<form>.<fmt>")
@login_required
def download(code: str, form: str, fmt: str):
    """Any document of the dossier as .docx or PDF (a PDF opens in the browser, ready to print)."""
    if fmt not in DOWNLOAD_TYPES or form not in DOCUMENT_FORMS:
        abort(404)
    try:
        content, filename = dossier_document(actor(), code, form, fmt, sequence_arg())
    except PdfUnavailable as err:
        return render_template("error.html", message=str(err)), 503
    return file_response(content, filename, fmt, inline=fmt == "pdf")


@bp.route("/ho-so/<code>/phieu-kiem-soat")
@login_required
def control_slip(code: str):
    """Mẫu 06 from the dossier's history, laid out for printing on A4."""
    data = mau06_data(db.session, actor(), code)
    return render_template(
        "control_slip.html",
        data=data,
        title=NOTICE_TITLES["mau-06"],
        barcode=Markup(barcodes.code128_svg(data.dossier_code)),
    )


@bp.route("/xac-minh")
def verify_form():
    code = result_documents.normalise_code(request.args.get("code", ""))
    if code:
        return redirect(url_for("documents.verify", code=code))
    return render_template("portal/verify.html", code="", result=None, error=None)


@bp.route("/xac-minh/<code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def verify(code: str):
    """What the system issued under ``code``, or the answer that it issued nothing: the paper may be forged."""
    result = result_documents.verify(db.session, code)
    if result is None:
        return render_template("portal/verify.html", code=code, result=None, error=NOT_ISSUED), 404
    return render_template("portal/verify.html", code=result.verification_code, result=result, error=None)
