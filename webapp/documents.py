"""The documents of processing for staff (Mẫu 04, 05, 06, the result and its draft) and the public check.

Staff:  /ho-so/<code>/van-ban/<form>.<fmt>   form: mau-04 | mau-05 | mau-06 | ket-qua | du-thao; fmt: docx | pdf
        /ho-so/<code>/phieu-kiem-soat         Mẫu 06 laid out for printing on A4
Public: /xac-minh, /xac-minh/<verification code>   what the system issued under a result's code
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_login import login_required
from markupsafe import Markup

from engine.documents import barcodes
from engine.documents.notices import render_document, render_document_pdf
from engine.documents.render import PdfUnavailable, docx_to_pdf
from engine.models import User
from engine.services import result_documents
from engine.services.errors import NotFound
from engine.services.notices import NOTICE_TITLES, mau04_data, mau05_data, mau06_data
from webapp.extensions import db, limiter
from webapp.util import actor

bp = Blueprint("documents", __name__)

DOWNLOAD_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
RESULT_FORMS = {"result": "result", "ket-qua": "result", "du-thao": "du-thao"}
DOCUMENT_FORMS = (*NOTICE_TITLES, *RESULT_FORMS)
NOT_ISSUED = (
    "Không có văn bản nào do hệ thống cấp với mã xác minh này. Văn bản bạn đang giữ có thể là giả mạo "
    "hoặc mã đã bị nhập sai: hãy kiểm tra lại mã in trên văn bản, hoặc liên hệ cơ quan cấp để xác minh."
)


def dossier_document(user: User, code: str, form: str, fmt: str, sequence: int | None = None) -> tuple[bytes, str]:
    """The content and file name of one document of dossier ``code``; ``PdfUnavailable`` when no PDF can be made.

    Shared with the API (webapp/api.py); raises NotFound when the dossier has no such document yet.
    """
    session = db.session
    kind = RESULT_FORMS.get(form, form)
    if kind == "du-thao":
        docx = result_documents.draft_result(session, user, code)
        return (docx_to_pdf(docx) if fmt == "pdf" else docx), f"du-thao_{code}.{fmt}"
    if kind == "result":
        data = result_documents.result_data(session, user, code)
    elif kind == "mau-04":
        data = mau04_data(session, user, code, sequence)
    elif kind == "mau-05":
        data = mau05_data(session, user, code)
    elif kind == "mau-06":
        data = mau06_data(session, user, code)
    else:
        raise NotFound("Không có văn bản này.")
    content = render_document_pdf(data) if fmt == "pdf" else render_document(data)
    return content, f"{'ket-qua' if kind == 'result' else kind}_{data.dossier_code}.{fmt}"


def _sequence() -> int | None:
    raw = request.args.get("lan", "")
    return int(raw) if raw.isdigit() else None


@bp.route("/ho-so/<code>/van-ban/<form>.<fmt>")
@login_required
def download(code: str, form: str, fmt: str):
    """Mẫu 04 (``?lan=<n>`` for the n-th extension), 05, 06, the issued result or its draft, as .docx or PDF."""
    if fmt not in DOWNLOAD_TYPES or form not in DOCUMENT_FORMS:
        abort(404)
    try:
        content, filename = dossier_document(actor(), code, form, fmt, _sequence())
    except PdfUnavailable as err:
        return render_template("error.html", message=str(err)), 503
    disposition = "inline" if fmt == "pdf" else "attachment"
    return Response(
        content,
        mimetype=DOWNLOAD_TYPES[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


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
