"""The API's dossier search, saved searches and bulk e-mail (routes on the API blueprint)."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from engine.models import Dossier, SavedSearch
from engine.services import transaction
from engine.services.attachments import UploadedFile
from engine.services.bulk_mail import send_bulk_email
from engine.services.errors import MalformedRequest
from engine.services.saved_searches import delete_saved, get_saved, save_search, saved_args, saved_searches
from engine.services.search import COUNT_CAP, SearchPage, parse_criteria, search
from webapp.api import actor, bp, dossier_summary_json, iso_time, json_body, token_required
from webapp.extensions import db


def found_json(dossier: Dossier, page: SearchPage) -> dict[str, Any]:
    found = dossier_summary_json(dossier)
    return {**found, "applicant_name": dossier.applicant_name, "overdue": page.is_overdue(dossier)}


@bp.get("/dossiers")
@token_required
def search_dossiers():
    page = search(db.session, actor(), parse_criteria(request.args))
    return jsonify(
        {
            "items": [found_json(d, page) for d in page.dossiers],
            "paging": {
                "page": page.page,
                "per_page": page.criteria.per_page,
                "pages": page.pages,
                "total": page.total,
                # True when there are more matches than are counted (COUNT_CAP): "more than 1,000".
                "more": page.more,
                "count_cap": COUNT_CAP,
            },
        }
    )


def saved_json(saved: SavedSearch) -> dict[str, Any]:
    return {"id": saved.id, "name": saved.name, "criteria": saved_args(saved), "created_at": iso_time(saved.created_at)}


@bp.get("/saved-searches")
@token_required
def list_saved():
    return jsonify([saved_json(s) for s in saved_searches(db.session, actor())])


@bp.post("/saved-searches")
@token_required
def create_saved():
    payload = json_body()
    criteria = payload.get("criteria") or {}
    if not isinstance(criteria, dict) or not isinstance(payload.get("name", ""), str):
        raise MalformedRequest("Cần “name” là chuỗi và “criteria” là một đối tượng JSON.")
    with transaction(db.session):
        saved = save_search(db.session, actor(), payload.get("name", ""), parse_criteria(criteria))
        body = saved_json(saved)
    return jsonify(body), 201


@bp.get("/saved-searches/<int:saved_id>")
@token_required
def show_saved(saved_id: int):
    return jsonify(saved_json(get_saved(db.session, actor(), saved_id)))


@bp.delete("/saved-searches/<int:saved_id>")
@token_required
def remove_saved(saved_id: int):
    with transaction(db.session):
        delete_saved(db.session, actor(), saved_id)
    return "", 204


@bp.post("/bulk-emails")
@token_required
def bulk_email():
    """Multipart form: the search criteria as fields, ``subject``, ``body`` and an optional ``attachment``."""
    form = request.form
    upload = request.files.get("attachment")
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    attachment = UploadedFile(upload.filename, upload.read(limit + 1)) if upload and upload.filename else None
    criteria = parse_criteria(form)
    with transaction(db.session):
        result = send_bulk_email(
            db.session, actor(), criteria, form.get("subject", ""), form.get("body", ""), attachment, limit
        )
    return jsonify({"recipients": result.recipients, "without_email": result.without_email}), 201
