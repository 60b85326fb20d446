"""The JSON API under /api/v1: the same services as the UI, authenticated by bearer token."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select

from engine.clock import VN_TZ
from engine.documents.render import PdfUnavailable
from engine.models import Delegation, Dossier, HistoryEvent, Task, User
from engine.services import delegation, dossier_actions, handover, transaction
from engine.services.appointments import appointment_for
from engine.services.attachments import Scans
from engine.services.auth import actor_for_token, authenticate, issue_token
from engine.services.dossiers import get_dossier, lookup_public, receive_dossier
from engine.services.errors import AuthenticationFailed, DomainError, InvalidInput, MalformedRequest, NotFound
from engine.services.inbox import inbox, inbox_counts, parse_filter
from engine.services.procedures import search_procedures
from engine.services.result_documents import verify as verify_issued
from engine.services.tasks import complete_task, form_choices
from engine.status import DossierStatus
from webapp.documents import DOCUMENT_FORMS, NOT_ISSUED, sequence_arg
from webapp.documents import dossier_document as render_dossier_document
from webapp.errors import http_status
from webapp.extensions import db, limiter
from webapp.openapi import OPENAPI
from webapp.util import DOWNLOAD_TYPES, file_response, forms, scans

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error_response(error: DomainError):
    body: dict[str, Any] = {"error": error.message}
    if isinstance(error, InvalidInput):
        body["errors"] = error.errors
    response = jsonify(body)
    response.status_code = http_status(error)
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="motcua"'
    return response


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return error_response(error)


@bp.before_request
def _start_timer() -> None:
    g.started = time.perf_counter()


@bp.after_request
def _server_timing(response):
    # Server-side latency, read by scripts/bench_workflow.py.
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
    return response


def json_body() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if payload is None:
        raise MalformedRequest("Nội dung gửi lên không phải JSON hợp lệ.")
    if not isinstance(payload, dict):
        raise MalformedRequest("Nội dung gửi lên phải là một đối tượng JSON.")
    return payload


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("Thiếu mã truy cập (Authorization: Bearer <token>).")
        g.actor_ref = actor_for_token(
            db.session, token.strip(), current_app.config["SECRET_KEY"], current_app.config["API_TOKEN_MAX_AGE"]
        )
        return view(*args, **kwargs)

    return wrapper


def actor() -> User:
    """The caller as an ORM user, loaded on first use (completing a task does without it)."""
    if "actor" not in g:
        g.actor = db.session.get(User, g.actor_ref.id)
    return g.actor


def iso_time(value: Any) -> str | None:
    """A moment as JSON gives it: ISO 8601, or null."""
    return value.isoformat() if value is not None else None


def dossier_summary_json(dossier: Dossier) -> dict[str, Any]:
    """A dossier in a list: code, procedure, status, received and due (no applicant data)."""
    return {
        "code": dossier.code,
        "procedure_code": dossier.procedure.code,
        "procedure_name": dossier.procedure.name,
        "status": dossier.status,
        "status_label": DossierStatus(dossier.status).label,
        "received_at": iso_time(dossier.received_at),
        "due_at": iso_time(dossier.due_at),
    }


def task_json(task: Task, choices: dict[tuple[str, int], dict[str, list[tuple[str, str]]]]) -> dict[str, Any]:
    """A task with its form; ``choices`` memoises the form's people per department across the list."""
    out: dict[str, Any] = {
        "id": task.id,
        "dossier_code": task.dossier.code,
        "step": task.step,
        "title": task.title,
        "role": task.role,
        "assignee_id": task.assignee_id,
        "created_at": iso_time(task.created_at),
        "due_at": iso_time(task.due_at),
    }
    if task.form in forms().names():
        form = forms().get(task.form)
        key = (form.name, task.dossier.department_id)
        if key not in choices:
            choices[key] = form_choices(db.session, form, task)
        out["form"] = form.to_dict(choices[key])
    return out


def dossier_json(dossier: Dossier, history: list[HistoryEvent] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": dossier.code,
        "procedure_code": dossier.procedure.code,
        "procedure_name": dossier.procedure.name,
        "status": dossier.status,
        "status_label": DossierStatus(dossier.status).label,
        "channel": dossier.channel,
        "applicant": {
            "kind": dossier.applicant_kind,
            "organisation_name": dossier.organisation_name,
            "tax_code": dossier.tax_code,
            "full_name": dossier.applicant_name,
            "id_number": dossier.id_number,
            "phone": dossier.phone,
            "email": dossier.email,
            "address": dossier.address,
        },
        "received_at": iso_time(dossier.received_at),
        "due_at": iso_time(dossier.due_at),
        "finished_at": iso_time(dossier.finished_at),
        "returned_at": iso_time(dossier.returned_at),
        "sets_count": dossier.sets_count,
        "return_method": dossier.return_method,
        "refusal_reason": dossier.refusal_reason,
        "components": [
            {
                "name": c.name,
                "required": c.required,
                "extra": c.extra,
                "submitted": c.submitted,
                "originals": c.originals,
                "certified_copies": c.certified_copies,
                "photocopies": c.photocopies,
                "missing_reason": c.missing_reason,
            }
            for c in dossier.components
        ],
        "attachments": [
            {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in dossier.attachments
        ],
    }
    if history is not None:
        out["history"] = [
            {
                "at": iso_time(e.at),
                "actor": e.actor_name,
                "action": e.action,
                "from_step": e.from_step,
                "to_step": e.to_step,
                "to_unit": e.to_unit,
                "to_person": e.to_person,
                "note": e.note,
                "status_after": e.status_after,
            }
            for e in history
        ]
    return out


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


@bp.post("/tokens")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def create_token():
    payload = json_body()
    username, password = payload.get("username"), payload.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise InvalidInput({"username": "Cần tên đăng nhập và mật khẩu dạng chuỗi."})
    user = authenticate(db.session, username, password)
    return jsonify({"token": issue_token(user, current_app.config["SECRET_KEY"])}), 201


@bp.get("/procedures")
@token_required
def procedures():
    return jsonify(
        [
            {
                "code": p.code,
                "name": p.name,
                "field": p.field.name,
                "time_kind": p.time_kind,
                "time_value": p.time_value,
                "processing_time": p.time_label,
                "components": [
                    {
                        "id": c.id,
                        "name": c.name,
                        "required": c.required,
                        "originals": c.originals,
                        "certified_copies": c.certified_copies,
                        "photocopies": c.photocopies,
                    }
                    for c in p.components
                ],
            }
            for p in search_procedures(db.session, request.args.get("q", "")[:200], limit=500)
        ]
    )


def _reception_request() -> tuple[dict[str, Any], Scans]:
    """JSON, or multipart with the JSON in a ``payload`` part and files named ``attachment-<component id>``."""
    if request.mimetype != "multipart/form-data":
        return json_body(), Scans()
    try:
        payload = json.loads(request.form.get("payload", ""))
    except ValueError as err:
        raise MalformedRequest("Phần “payload” phải là JSON hợp lệ.") from err
    if not isinstance(payload, dict):
        raise MalformedRequest("Phần “payload” phải là một đối tượng JSON.")
    return payload, scans(request.files)


@bp.post("/dossiers")
@token_required
def create_dossier():
    payload, uploaded = _reception_request()
    with transaction(db.session):
        dossier = receive_dossier(
            db.session,
            actor(),
            payload,
            forms(),
            scans=uploaded,
        )
        body = dossier_json(dossier)
    return jsonify(body), 201


@bp.get("/dossiers/<code>/documents/<form>")
@token_required
def dossier_document(code: str, form: str):
    """Mẫu 01–03 (the receipt), 04 (``lan=<n>``: the n-th extension), 05, 06, the issued ``result`` or its
    draft (``du-thao``); 404 while the dossier has no such document."""
    fmt = request.args.get("format", "pdf")
    if fmt not in DOWNLOAD_TYPES:
        raise InvalidInput({"format": "Định dạng là pdf hoặc docx."})
    if form not in DOCUMENT_FORMS:
        raise NotFound("Không có văn bản này.")
    try:
        content, filename = render_dossier_document(actor(), code, form, fmt, sequence_arg())
    except PdfUnavailable as err:
        return jsonify({"error": str(err)}), 503
    return file_response(content, filename, fmt)


@bp.get("/verify/<code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def verify_document(code: str):
    """Public: what the system issued under a verification code; 404 means it issued nothing (forged?)."""
    result = verify_issued(db.session, code)
    if result is None:
        return jsonify({"error": NOT_ISSUED}), 404
    return jsonify(
        {
            "verification_code": result.verification_code,
            "title": result.title,
            "number": result.number,
            "issued_at": iso_time(result.issued_at),
            "issuer": result.issuer,
            "signed_by": result.signed_by,
            "dossier_code": result.dossier_code,
            "procedure_name": result.procedure_name,
            "holder": result.holder,
            "revoked": result.revoked,
            "revoked_at": iso_time(result.revoked_at),
        }
    )


@bp.get("/appointment")
@token_required
def appointment():
    raw = request.args.get("received_at", "")
    received_at = None
    if raw:
        try:
            received_at = datetime.fromisoformat(raw)
        except ValueError as err:
            raise InvalidInput({"received_at": "Thời điểm phải theo ISO 8601, ví dụ 2026-03-02T08:30."}) from err
        if received_at.tzinfo is not None:
            received_at = received_at.astimezone(VN_TZ).replace(tzinfo=None)
    found = appointment_for(db.session, request.args.get("procedure_code", ""), request.args.get("unit"), received_at)
    return jsonify(
        {
            "procedure_code": found.procedure.code,
            "unit": found.unit.code,
            "received_at": iso_time(found.received_at),
            "counts_from": iso_time(found.counts_from),
            "due_at": iso_time(found.due_at),
            "processing_time": found.procedure.time_label,
        }
    )


@bp.get("/dossiers/<code>")
@token_required
def show_dossier(code: str):
    dossier = get_dossier(db.session, actor(), code)
    history = db.session.scalars(
        select(HistoryEvent).where(HistoryEvent.dossier_id == dossier.id).order_by(HistoryEvent.id)
    ).all()
    from webapp.payments_api import fees_json  # it extends this module's blueprint

    return jsonify({**dossier_json(dossier, list(history)), "fees": fees_json(dossier.id)})


@bp.get("/tasks")
@token_required
def tasks():
    """The caller's open tasks; ``tab`` (all by default, mine, pool), filters and sort as in the inbox."""
    page = inbox(db.session, actor(), parse_filter(request.args), page_size=200)
    choices: dict[tuple[str, int], dict[str, list[tuple[str, str]]]] = {}
    response = jsonify([{**task_json(t, choices), "due_state": page.due_state(t)} for t in page.tasks])
    response.headers["X-Total-Count"] = str(page.total)
    return response


@bp.post("/tasks/<task_id>/complete")
@token_required
def complete(task_id: str):
    payload = json_body()
    data = payload.get("data", {})
    if not isinstance(data, dict):
        raise InvalidInput({"data": "Trường “data” phải là một đối tượng."})
    with transaction(db.session):
        result = complete_task(db.session, g.actor_ref, task_id, data, forms())
        body = {
            "dossier": {
                "code": result.dossier_code,
                "status": result.status,
                "status_label": DossierStatus(result.status).label,
            },
            "next_tasks": [
                {
                    "id": t.id,
                    "dossier_code": result.dossier_code,
                    "step": t.step,
                    "title": t.title,
                    "role": t.role,
                    "assignee_id": t.assignee_id,
                    "created_at": iso_time(t.created_at),
                    "due_at": iso_time(t.due_at),
                }
                for t in result.next_tasks
            ],
        }
    return jsonify(body)


@bp.get("/lookup/<path:code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def lookup(code: str):
    result = lookup_public(db.session, code)
    return jsonify(
        {
            "code": result.code,
            "procedure_name": result.procedure_name,
            "status": int(result.status),
            "status_label": result.status.label,
            "received_at": iso_time(result.received_at),
            "due_at": iso_time(result.due_at),
            "returned_at": iso_time(result.returned_at),
            "steps": [{"title": s.title, "unit": s.unit, "at": iso_time(s.at)} for s in result.steps],
        }
    )


# --- Processing: the inbox's tabs, handing over, delegation, and what staff do beside the steps ---


@bp.get("/tasks/counts")
@token_required
def task_counts():
    return jsonify(inbox_counts(db.session, actor()))


def _task_brief(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "dossier_code": task.dossier.code,
        "step": task.step,
        "title": task.title,
        "role": task.role,
        "assignee_id": task.assignee_id,
        "due_at": iso_time(task.due_at),
        "closed": task.closed_at is not None,
    }


def _in_transaction(call: Callable[[], Any], to_json: Callable[[Any], dict[str, Any]], status: int = 200):
    """Run one service call as the request's transaction and answer with what it returned."""
    with transaction(db.session):
        body = to_json(call())
    return jsonify(body), status


@bp.post("/tasks/<task_id>/claim")
@token_required
def claim_task(task_id: str):
    return _in_transaction(lambda: handover.claim(db.session, actor(), task_id), _task_brief)


@bp.post("/tasks/<task_id>/release")
@token_required
def release_task(task_id: str):
    return _in_transaction(lambda: handover.release(db.session, actor(), task_id), _task_brief)


@bp.get("/tasks/<task_id>/candidates")
@token_required
def task_candidates(task_id: str):
    people = handover.candidates_for(db.session, actor(), task_id)
    return jsonify([{"id": c.id, "full_name": c.full_name, "open_tasks": c.open_tasks} for c in people])


@bp.post("/tasks/<task_id>/assign")
@token_required
def assign_task(task_id: str):
    payload = json_body()
    return _in_transaction(
        lambda: handover.assign(db.session, actor(), task_id, payload.get("user_id"), payload.get("note")), _task_brief
    )


@bp.post("/tasks/<task_id>/recall")
@token_required
def recall_task(task_id: str):
    payload = json_body()
    return _in_transaction(lambda: handover.recall(db.session, actor(), task_id, payload.get("note")), _task_brief)


@bp.post("/tasks/<task_id>/rework")
@token_required
def rework_task(task_id: str):
    payload = json_body()
    return _in_transaction(lambda: handover.rework(db.session, actor(), task_id, payload.get("reason")), _task_brief)


def _delegation_json(row: Delegation) -> dict[str, Any]:
    return {
        "id": row.id,
        "principal": {"id": row.principal_id, "full_name": row.principal.full_name},
        "deputy": {"id": row.deputy_id, "full_name": row.deputy.full_name},
        "starts_at": iso_time(row.starts_at),
        "ends_at": iso_time(row.ends_at),
        "reason": row.reason,
        "revoked_at": iso_time(row.revoked_at),
    }


@bp.get("/delegations")
@token_required
def list_delegations():
    return jsonify([_delegation_json(row) for row in delegation.delegations_of(db.session, actor())])


@bp.post("/delegations")
@token_required
def create_delegation():
    payload = json_body()
    return _in_transaction(lambda: delegation.delegate(db.session, actor(), payload), _delegation_json, 201)


@bp.post("/delegations/<int:delegation_id>/end")
@token_required
def end_delegation(delegation_id: int):
    return _in_transaction(lambda: delegation.end_delegation(db.session, actor(), delegation_id), _delegation_json)


def _status_json(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "status": dossier.status,
        "status_label": DossierStatus(dossier.status).label,
        "due_at": iso_time(dossier.due_at),
        "extension_count": dossier.extension_count,
    }


@bp.get("/dossiers/<code>/comments")
@token_required
def list_comments(code: str):
    dossier = get_dossier(db.session, actor(), code)
    return jsonify([_comment_json(c) for c in dossier_actions.comments_of(db.session, actor(), dossier)])


def _comment_json(comment: Any) -> dict[str, Any]:
    return {"id": comment.id, "author": comment.author_name, "at": iso_time(comment.at), "body": comment.body}


@bp.post("/dossiers/<code>/comments")
@token_required
def add_comment(code: str):
    payload = json_body()
    return _in_transaction(lambda: dossier_actions.comment(db.session, actor(), code, payload), _comment_json, 201)


@bp.post("/dossiers/<code>/attachments")
@token_required
def add_attachments(code: str):
    if request.mimetype != "multipart/form-data":
        raise MalformedRequest("Hãy gửi tệp dạng multipart/form-data, trường “attachment”.")
    with transaction(db.session):
        count = dossier_actions.attach(db.session, actor(), code, scans(request.files))
    return jsonify({"added": count}), 201


@bp.post("/dossiers/<code>/supplement-request")
@token_required
def supplement_request(code: str):
    payload = json_body()
    return _in_transaction(lambda: dossier_actions.request_supplement(db.session, actor(), code, payload), _status_json)


@bp.post("/dossiers/<code>/supplement")
@token_required
def supplement_received(code: str):
    payload, uploaded = _reception_request()
    return _in_transaction(
        lambda: dossier_actions.receive_supplement(db.session, actor(), code, payload, uploaded), _status_json
    )


@bp.post("/dossiers/<code>/extensions")
@token_required
def extend_dossier(code: str):
    payload = json_body()
    with transaction(db.session):
        row = dossier_actions.extend(db.session, actor(), code, payload)
        body = {**_status_json(get_dossier(db.session, actor(), code)), "new_due_at": iso_time(row.new_due_at)}
    return jsonify(body), 201


@bp.post("/dossiers/<code>/stop")
@token_required
def stop_dossier(code: str):
    payload = json_body()
    return _in_transaction(lambda: dossier_actions.stop(db.session, actor(), code, payload), _status_json)


@bp.post("/dossiers/<code>/return")
@token_required
def return_result(code: str):
    """Record the handover of the result: completes the dossier's open return step (status 10)."""
    payload = json_body()
    return _in_transaction(
        lambda: dossier_actions.return_result(db.session, actor(), code, payload, forms()),
        lambda result: {
            "code": result.dossier_code,
            "status": result.status,
            "status_label": DossierStatus(result.status).label,
        },
    )
