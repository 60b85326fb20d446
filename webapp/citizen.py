"""The citizen's own dossiers: the list, one dossier's details, its online result, the rating.

/cong-dan/ho-so                       the account's dossiers, newest first, and "Thêm hồ sơ đã nộp tại quầy"
/cong-dan/ho-so/them                  (POST) link a counter dossier by code + the applicant's phone or ID number
/cong-dan/ho-so/<code>                details, steps, appointment, result, rating
/cong-dan/ho-so/<code>/giay-tiep-nhan.<fmt>  the receipt the dossier got (Mẫu 01, 02 or 03), pdf or docx
/cong-dan/ho-so/<code>/ket-qua.docx   the result of a toàn trình procedure, at status 9/10
/cong-dan/ho-so/<code>/danh-gia       (POST) the satisfaction rating, once
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from engine.documents.render import PdfUnavailable, render_docx, render_pdf
from engine.models.satisfaction import CRITERIA, SCALE
from engine.services import citizen_dossiers, satisfaction, transaction
from engine.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.services.result_documents import verify_url
from webapp.citizen_session import citizen_required, current_citizen
from webapp.extensions import db
from webapp.util import DOWNLOAD_TYPES, file_response, lookup_url

bp = Blueprint("citizen", __name__, url_prefix="/cong-dan")

RATING_FIELDS = (*CRITERIA, *satisfaction.COUNTS, "comment")


def _me():
    account = current_citizen()
    assert account is not None  # citizen_required
    return account


def rating_context(dossier_id: int) -> dict:
    """What the rating form needs: the criteria, the scale, the counts, and the rating if already given."""
    return {
        "criteria": CRITERIA,
        "scale": SCALE,
        "counts": satisfaction.COUNTS,
        "rating": satisfaction.rating_of(db.session, dossier_id),
    }


@bp.route("/ho-so")
@citizen_required
def dossiers():
    items = citizen_dossiers.my_dossiers(db.session, _me())
    return render_template("citizen/dossiers.html", dossiers=items, link_values={}, link_error=None)


@bp.route("/ho-so/them", methods=["POST"])
@citizen_required
def link():
    values = {"code": request.form.get("code", "").strip(), "factor": request.form.get("factor", "").strip()}
    try:
        with transaction(db.session):
            dossier = citizen_dossiers.link_dossier(db.session, _me(), values["code"], values["factor"])
    except (NotFound, Forbidden, Conflict) as err:
        items = citizen_dossiers.my_dossiers(db.session, _me())
        status = 409 if isinstance(err, Conflict) else 404 if isinstance(err, NotFound) else 403
        return render_template(
            "citizen/dossiers.html", dossiers=items, link_values=values, link_error=err.message
        ), status
    flash(f"Đã thêm hồ sơ {dossier.code} vào tài khoản.", "success")
    return redirect(url_for("citizen.dossier", code=dossier.code))


def _render_dossier(code: str, values: dict | None = None, errors: dict | None = None, status: int = 200):
    dossier = citizen_dossiers.my_dossier(db.session, _me(), code)
    details = citizen_dossiers.details(db.session, dossier)
    public_base = current_app.config["PUBLIC_BASE_URL"]
    return render_template(
        "citizen/dossier.html",
        details=details,
        verify_link=verify_url(public_base, details.result.verification_code) if details.result else "",
        rating_action=url_for("citizen.rate", code=details.code),
        rating_hidden={},
        values=values or {},
        errors=errors or {},
        **rating_context(dossier.id),
    ), status


@bp.route("/ho-so/<code>")
@citizen_required
def dossier(code: str):
    return _render_dossier(code)


@bp.route("/ho-so/<code>/giay-tiep-nhan.<fmt>")
@citizen_required
def receipt(code: str, fmt: str):
    if fmt not in DOWNLOAD_TYPES:
        abort(404)
    data = citizen_dossiers.my_receipt(db.session, _me(), code, lookup_url(code))
    try:
        content = render_pdf(data) if fmt == "pdf" else render_docx(data)
    except PdfUnavailable as err:
        return render_template("error.html", message=str(err)), 503
    return file_response(content, f"{data.form}_{data.dossier_code}.{fmt}", fmt, inline=fmt == "pdf")


@bp.route("/ho-so/<code>/ket-qua.docx")
@citizen_required
def result(code: str):
    found = citizen_dossiers.online_result(db.session, _me(), code)
    return file_response(found.content, found.filename, "docx")


@bp.route("/ho-so/<code>/danh-gia", methods=["POST"])
@citizen_required
def rate(code: str):
    values = {name: request.form.get(name, "") for name in RATING_FIELDS}
    try:
        with transaction(db.session):
            satisfaction.rate_as_citizen(db.session, _me(), code, values)
    except InvalidInput as err:
        return _render_dossier(code, values, err.errors, 422)
    flash("Cảm ơn Ông/Bà đã đánh giá mức độ hài lòng.", "success")
    return redirect(url_for("citizen.dossier", code=code.strip().upper()))
