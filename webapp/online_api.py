"""Online submission in the JSON API: the citizen's submission and supplement, and the counter's online tab.

The routes join ``api.bp`` (so its error mapping, CSRF exemption and OpenAPI check apply). Citizen
calls carry a citizen bearer token (POST /api/v1/citizen/token), never a staff one;
staff calls use the staff token of ``api.token_required``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import current_app, jsonify, request

from engine.models import CitizenAccount
from engine.services import online, online_intake, online_supplement, transaction
from engine.services.errors import InvalidInput, MalformedRequest
from webapp.api import actor, bp, dossier_json, json_body, token_required
from webapp.citizen_api import citizen_token_required, current_api_citizen
from webapp.extensions import db
from webapp.online import uploads
from webapp.util import attachment_store, forms


def _multipart_payload() -> dict[str, Any]:
    """The JSON part ``payload`` of a multipart request (or the JSON body, for a call without files)."""
    if request.mimetype != "multipart/form-data":
        return json_body()
    try:
        payload = json.loads(request.form.get("payload") or "{}")
    except ValueError as err:
        raise MalformedRequest("Phần “payload” phải là JSON hợp lệ.") from err
    if not isinstance(payload, dict):
        raise MalformedRequest("Phần “payload” phải là một đối tượng JSON.")
    return payload


def dossier_body(dossier: Any) -> dict[str, Any]:
    """The dossier as the API shows it, with its version and each component row's id (what a supplement names)."""
    body = dossier_json(dossier) | {"version": dossier.version}
    for item, row in zip(body["components"], dossier.components, strict=True):
        item["id"] = row.id
    return body


def _unprocessable(errors: dict[str, str], message: str, **extra: Any):
    return jsonify({"error": message, "errors": errors, **extra}), 422


@bp.post("/citizen/submissions")
@citizen_token_required
def citizen_submit():
    """Submit in one call: the draft is kept (and its ``draft_id`` returned) whenever something is refused."""
    citizen: CitizenAccount = current_api_citizen()
    payload = _multipart_payload()
    files = uploads(request.files)
    draft_id = payload.get("draft_id")
    if not isinstance(draft_id, int):
        units = payload.get("unit_id")
        with transaction(db.session):
            procedure = online.offered_procedure(db.session, str(payload.get("procedure_code") or ""))
            if units is None:  # one counter receives the procedure: no need to name it
                offered = online.receiving_units(db.session, procedure)
                units = offered[0].id if len(offered) == 1 else None
            draft_id = online.start_draft(db.session, citizen, procedure.code, units).id
    form = {
        "applicant": payload.get("applicant") if isinstance(payload.get("applicant"), dict) else {},
        "data": payload.get("data") if isinstance(payload.get("data"), dict) else {},
        "return_method": payload.get("return_method") or "counter",
    }
    with transaction(db.session):
        _, errors = online.save_draft(
            db.session,
            citizen,
            draft_id,
            form,
            files,
            attachment_store(),
            forms(),
            current_app.config["MAX_ATTACHMENT_BYTES"],
        )
    if errors:
        return _unprocessable(
            errors, "Có tệp không hợp lệ; các tệp hợp lệ đã được lưu vào hồ sơ nháp.", draft_id=draft_id
        )
    try:
        with transaction(db.session):
            dossier = online.submit_draft(db.session, citizen, draft_id, forms())
            body = dossier_body(dossier)
    except InvalidInput as err:
        return _unprocessable(err.errors, err.message, draft_id=draft_id)
    return jsonify(body), 201


@bp.post("/citizen/dossiers/<code>/supplement")
@citizen_token_required
def citizen_supplement(code: str):
    """Files ``file-<component row id>`` for the components asked for, and an optional ``note``; back to status 1."""
    citizen: CitizenAccount = current_api_citizen()
    multipart = request.mimetype == "multipart/form-data"
    note = request.form.get("note", "") if multipart else json_body().get("note", "")
    with transaction(db.session):
        _, errors = online_supplement.add_supplement_files(
            db.session,
            citizen,
            code,
            uploads(request.files),
            attachment_store(),
            current_app.config["MAX_ATTACHMENT_BYTES"],
        )
    if errors:
        return _unprocessable(errors, "Có tệp không hợp lệ; các tệp hợp lệ đã được lưu.")
    with transaction(db.session):
        dossier = online_supplement.resubmit(db.session, citizen, code, note)
        body = dossier_body(dossier)
    return jsonify(body), 200


@bp.get("/online-dossiers")
@token_required
def online_dossiers():
    found = online_intake.online_dossiers(db.session, actor())
    return jsonify([dossier_body(d) for d in found])


def _decide(call: Callable[[], Any]):
    with transaction(db.session):
        dossier = call()
        body = dossier_body(dossier)
    return jsonify(body)


def _version(payload: dict[str, Any]) -> int | None:
    value = payload.get("version")
    return value if isinstance(value, int) else None


@bp.post("/online-dossiers/<code>/accept")
@token_required
def online_accept(code: str):
    payload = json_body() if request.data else {}
    return _decide(
        lambda: online_intake.accept_online(
            db.session, actor(), code, forms(), version=_version(payload), note=str(payload.get("note") or "")
        )
    )


@bp.post("/online-dossiers/<code>/supplement")
@token_required
def online_supplement_request(code: str):
    payload = json_body()
    items = payload.get("items") if isinstance(payload.get("items"), list) else []
    reasons: dict[int, str] = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("component_id"), int):
            reasons[item["component_id"]] = str(item.get("reason") or "")
    return _decide(
        lambda: online_supplement.request_online_supplement(
            db.session, actor(), code, reasons, note=str(payload.get("note") or ""), version=_version(payload)
        )
    )


@bp.post("/online-dossiers/<code>/refuse")
@token_required
def online_refuse(code: str):
    payload = json_body()
    return _decide(
        lambda: online_intake.refuse_online(
            db.session, actor(), code, str(payload.get("reason") or ""), version=_version(payload)
        )
    )
