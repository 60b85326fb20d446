"""The process designer: the procedures' processes, the bpmn-js modeler, versions, diffs and redeploys.

Checking, dry-running, deploying and uploading a draft are JSON endpoints for
static/designer.js; they answer ``{"error": …, "problems": [{"element_id",
"element_name", "message"}]}`` when they refuse. The engine services check the
designer role where they touch versions; the draft endpoints touch no version,
so every view here is guarded by the same rule first (see ``_designers_only``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from lxml import etree
from sqlalchemy.exc import IntegrityError

from engine.models import ProcessVersion
from engine.roles import ROLES, lane_names_hint
from engine.services import designer, transaction
from engine.services.errors import Conflict, DomainError, InvalidInput, MalformedRequest, NotFound
from engine.services.procedures import InvalidProcess, deploy_process, latest_version, search_procedures
from engine.status import STATUS_LABELS, DossierStatus
from engine.workflow import Problem
from engine.workflow.camunda import CAMUNDA_NS, ZEEBE_NS, import_camunda
from engine.workflow.specs import BPMN_NS, STEP_DOCUMENTS
from engine.workflow.validation import MAX_BPMN_BYTES
from webapp.errors import http_status
from webapp.extensions import db, limiter
from webapp.util import actor, forms

bp = Blueprint("designer", __name__, url_prefix="/thiet-ke")

# The endpoints static/designer.js calls with fetch(): they answer JSON, errors included.
JSON_ENDPOINTS = {"designer.check", "designer.trial", "designer.deploy", "designer.upload"}
MAX_CATALOGUE = 1000
TOO_LARGE = (
    "Tệp sơ đồ vượt giới hạn {limit} MB nên không được đọc. Hãy bỏ bớt hình ảnh hoặc tài liệu nhúng trong sơ đồ, "
    "hoặc tách quy trình thành nhiều thủ tục."
)


def _draft_rate_limit() -> str:
    return str(current_app.config.get("DESIGNER_RATE_LIMIT", "120 per minute"))


def _per_user() -> str:
    return f"designer:{current_user.get_id()}"


@bp.before_request
def _designers_only() -> None:
    """Every page and endpoint here is for process designers and administrators (login_required comes after)."""
    if current_user.is_authenticated:
        designer.require_designer(current_user)


# Errors: JSON for the endpoints the script calls, the error page for the rest ------------------------------


def _problem_json(problem: Problem) -> dict[str, str]:
    return {"element_id": problem.element_id, "element_name": problem.element_name, "message": problem.message}


def _refusal(message: str, status: int, problems: list[Problem] | None = None) -> Response:
    response = jsonify({"error": message, "problems": [_problem_json(p) for p in problems or []]})
    response.status_code = status
    return response


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    if request.endpoint in JSON_ENDPOINTS:
        problems = error.problems if isinstance(error, InvalidProcess) else []
        return _refusal(error.message, http_status(error), problems)
    return render_template("error.html", message=error.message), http_status(error)


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError):
    message = "Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Hãy tải lại trang và thử lại."
    if request.endpoint in JSON_ENDPOINTS:
        return _refusal(message, 400)
    return render_template("error.html", message=message), 400


# Pages --------------------------------------------------------------------------------------------------------


@bp.route("")
@login_required
def index():
    """Each procedure of the catalogue with its process: latest version, who deployed it, dossiers running."""
    procedures = search_procedures(db.session, "", limit=MAX_CATALOGUE)
    processes: dict[str, dict[str, Any] | None] = {}
    for procedure in procedures:
        key = procedure.process_key
        if key in processes:
            continue
        try:
            history = designer.versions(db.session, actor(), key)
        except NotFound:
            processes[key] = None
            continue
        processes[key] = {"latest": history[0], "running": sum(v.running for v in history), "count": len(history)}
    return render_template("designer/index.html", procedures=procedures, processes=processes)


@bp.route("/<process_key>")
@login_required
def edit(process_key: str):
    """The modeler, loaded with the latest deployed diagram of ``process_key``."""
    latest = _latest(process_key)
    config = {
        "forms": [_form_json(name) for name in sorted(forms().names())],
        "statuses": [{"value": int(code), "label": STATUS_LABELS[code]} for code in DossierStatus],
        "documents": [{"value": key, "label": label} for key, label in STEP_DOCUMENTS.items()],
        "lanes": [
            {"name": name, "role": info.label}
            for info in ROLES.values()
            for name in (*info.lane_names, info.role.value)
        ],
        "laneHint": lane_names_hint(),
    }
    return render_template(
        "designer/modeler.html",
        process_key=process_key,
        latest=latest,
        procedures=_procedures_of(process_key),
        config=config,
    )


@bp.route("/<process_key>/so-do.bpmn")
@login_required
def diagram(process_key: str):
    """The BPMN XML of the latest version (or of ``?phien-ban=<id>``), for the modeler and for download."""
    version_id = request.args.get("phien-ban", type=int)
    version = _latest(process_key) if version_id is None else _version_of(process_key, version_id)
    response = Response(version.bpmn_xml, mimetype="application/xml")
    response.headers["Cache-Control"] = "private, no-store"
    if request.args.get("tai-xuong"):
        filename = f"{process_key}-v{version.number}.bpmn"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/<process_key>/phien-ban")
@login_required
def versions(process_key: str):
    history = designer.versions(db.session, actor(), process_key)
    return render_template(
        "designer/versions.html",
        process_key=process_key,
        versions=history,
        latest=history[0],
        running_older=sum(v.running for v in history[1:]),
        procedures=_procedures_of(process_key),
    )


@bp.route("/<process_key>/phien-ban/<int:version_id>")
@login_required
def diff(process_key: str, version_id: int):
    history = designer.versions(db.session, actor(), process_key)
    info = next((v for v in history if v.id == version_id), None)
    if info is None:
        raise NotFound(f"Phiên bản này không thuộc quy trình “{process_key}”.")
    return render_template(
        "designer/diff.html",
        process_key=process_key,
        info=info,
        diff=designer.version_diff(db.session, actor(), version_id),
    )


@bp.route("/<process_key>/phien-ban/<int:version_id>/trien-khai-lai", methods=["POST"])
@login_required
def redeploy(process_key: str, version_id: int):
    number = _version_of(process_key, version_id).number
    try:
        with transaction(db.session), _one_deploy_at_a_time():
            again = designer.redeploy(db.session, actor(), version_id, forms())
            new_number = again.number
    except (Conflict, InvalidInput) as err:
        flash(err.message, "error")
    else:
        flash(
            f"Đã triển khai lại phiên bản {number} thành phiên bản {new_number}. Hồ sơ mới sẽ chạy theo phiên bản này.",
            "success",
        )
    return redirect(url_for("designer.versions", process_key=process_key), code=303)


@bp.route("/<process_key>/chuyen-ho-so", methods=["POST"])
@login_required
def migrate(process_key: str):
    """Move the running dossiers of the older versions onto the latest version; show who moved and who not."""
    with transaction(db.session):
        latest = _latest(process_key)
        number = latest.number
        report = designer.migrate_dossiers(db.session, actor(), process_key, latest.id)
    return render_template("designer/migration.html", process_key=process_key, number=number, report=report)


# The draft, from the modeler (JSON) ---------------------------------------------------------------------------


@bp.route("/<process_key>/kiem-tra", methods=["POST"])
@login_required
@limiter.limit(_draft_rate_limit, key_func=_per_user)
def check(process_key: str):
    xml = _posted_xml()
    problems = _check(process_key, xml)
    body: dict[str, Any] = {"ok": not problems, "problems": [_problem_json(p) for p in problems]}
    if problems:
        body["error"] = f"Sơ đồ còn {len(problems)} vấn đề cần sửa trước khi triển khai."
    return jsonify(body)


@bp.route("/<process_key>/chay-thu", methods=["POST"])
@login_required
@limiter.limit(_draft_rate_limit, key_func=_per_user)
def trial(process_key: str):
    body = _json_body()
    xml = _posted_xml(body)
    steps = body.get("steps")
    if not isinstance(steps, list):
        return _refusal("Kịch bản chạy thử phải là một danh sách các bước.", 400)
    expect = body.get("expect")
    result = designer.dry_run(xml, steps, forms(), expect if isinstance(expect, dict) else None)
    status_label = _status_label(result.status)
    answer: dict[str, Any] = {
        "ok": result.ok,
        "ended": result.ended,
        "taken": [{"step": step, "title": result.titles.get(step, step)} for step in result.taken],
        "ready": [{"step": step, "title": result.titles.get(step, step)} for step in result.ready],
        "status": result.status,
        "status_label": status_label,
        "failures": list(result.failures),
        "problems": [_problem_json(p) for p in result.problems],
        "data": result.data,
    }
    if not result.ok:
        answer["error"] = (
            "Sơ đồ có vấn đề nên chưa chạy thử được." if result.problems else "Chạy thử không đi hết kịch bản."
        )
    try:
        return jsonify(answer)
    except TypeError:  # data a script left that JSON cannot carry: show it as text
        answer["data"] = {k: repr(v) for k, v in result.data.items()}
        return jsonify(answer)


@bp.route("/<process_key>/trien-khai", methods=["POST"])
@login_required
def deploy(process_key: str):
    """Deploy the draft as the next version; on any problem nothing is stored (422 with the problems)."""
    xml = _posted_xml()
    problems = _check(process_key, xml)
    if problems:
        return _refusal(
            "Sơ đồ chưa hợp lệ nên chưa được triển khai. Phiên bản đang dùng không thay đổi.", 422, problems
        )
    with transaction(db.session), _one_deploy_at_a_time():
        before = latest_version(db.session, process_key)
        version = deploy_process(db.session, actor(), xml, forms())
        answer = {
            "id": version.id,
            "number": version.number,
            "unchanged": before is not None and before.id == version.id,
        }
    if answer["unchanged"]:
        answer["message"] = f"Sơ đồ giống hệt phiên bản {answer['number']} đang dùng nên không tạo phiên bản mới."
        return jsonify(answer)
    answer["message"] = (
        f"Đã triển khai phiên bản {answer['number']}. Hồ sơ tiếp nhận từ bây giờ chạy theo phiên bản này."
    )
    return jsonify(answer), 201


@bp.route("/<process_key>/tai-len", methods=["POST"])
@login_required
@limiter.limit(_draft_rate_limit, key_func=_per_user)
def upload(process_key: str):
    """Read an uploaded .bpmn for the modeler (nothing is deployed); a Camunda Modeler file is converted first."""
    limit_mb = MAX_BPMN_BYTES // 1024 // 1024
    if request.content_length is not None and request.content_length > MAX_BPMN_BYTES + 64 * 1024:
        return _refusal(TOO_LARGE.format(limit=limit_mb), 413)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _refusal("Hãy chọn một tệp .bpmn để tải lên.", 400)
    raw = upload.read(MAX_BPMN_BYTES + 1)  # one byte past the limit is enough to refuse it
    if len(raw) > MAX_BPMN_BYTES:
        return _refusal(TOO_LARGE.format(limit=limit_mb), 413)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _refusal("Tệp phải được lưu với mã hóa UTF-8. Hãy lưu lại sơ đồ từ trình thiết kế.", 422)
    camunda = CAMUNDA_NS in text or ZEEBE_NS in text
    mapped: list[str] = []
    unmapped: list[str] = []
    if camunda:
        converted = import_camunda(text)
        text, mapped, unmapped = converted.xml, converted.mapped, converted.unmapped
    problems = _check_draft(text)
    key = _process_key_of(text)
    if key is None:
        return _refusal(
            "Không đọc được tệp này như một sơ đồ BPMN 2.0 nên không nạp vào trình thiết kế.",
            422,
            problems or [Problem("", "", "Sơ đồ không có quy trình nào được đánh dấu thực thi (isExecutable).")],
        )
    return jsonify(
        {
            "xml": text,
            "filename": upload.filename,
            "camunda": camunda,
            "mapped": mapped,
            "unmapped": unmapped,
            "process_id": key,
            "problems": [_problem_json(p) for p in problems],
        }
    )


# Helpers ------------------------------------------------------------------------------------------------------


@contextmanager
def _one_deploy_at_a_time() -> Iterator[None]:
    """Two deploys of one process at once both take the next number: the database keeps one, the other hears why."""
    try:
        yield
        db.session.flush()
    except IntegrityError as err:
        raise Conflict(
            "Có người vừa triển khai một phiên bản khác của quy trình này. Hãy tải lại trang, xem phiên bản mới "
            "rồi thử lại."
        ) from err


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise MalformedRequest("Yêu cầu phải là một đối tượng JSON có trường “xml”.")
    return body


def _posted_xml(body: dict[str, Any] | None = None) -> str:
    body = body if body is not None else _json_body()
    xml = body.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise MalformedRequest("Yêu cầu thiếu nội dung sơ đồ (trường “xml”).")
    return xml


def _process_key_of(xml: str) -> str | None:
    """The id of the draft's (first) executable process; None if it cannot be read.

    Read with entities off and no network, like the engine's validation: the draft is the user's input.
    """
    if len(xml) > MAX_BPMN_BYTES:
        return None
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except (etree.XMLSyntaxError, ValueError):  # not XML at all: the check already says why, in Vietnamese
        return None
    for node in root.iter(f"{{{BPMN_NS}}}process"):
        if (node.get("isExecutable") or "true").lower() == "true":
            return node.get("id")
    return None


def _check_draft(xml: str) -> list[Problem]:
    """The engine's check; a draft it cannot read at all is refused with a reason, never with a server error."""
    try:
        return designer.check_draft(xml, forms())
    except Exception as err:
        current_app.logger.exception("check_draft failed on a draft")
        detail = " ".join(str(err).split())[:300]
        return [
            Problem(
                "",
                "",
                f"Không đọc được sơ đồ (chi tiết kỹ thuật: {detail}). Hãy lưu lại sơ đồ từ trình thiết kế; "
                "sơ đồ không được chứa khai báo DOCTYPE hay ENTITY.",
            )
        ]


def _check(process_key: str, xml: str) -> list[Problem]:
    """The engine's check of the draft, plus: the draft is still the process of this page."""
    problems = _check_draft(xml)
    if problems:
        return problems
    key = _process_key_of(xml)
    if key != process_key:
        return [
            Problem(
                key or "",
                "",
                f"Mã quy trình trong sơ đồ là “{key}”, khác mã “{process_key}” của quy trình đang thiết kế. "
                "Triển khai sơ đồ này sẽ tạo một quy trình khác. Hãy mở đúng quy trình, hoặc tải lại tệp "
                "từ trang này để trình thiết kế đặt lại mã quy trình.",
            )
        ]
    return []


def _status_label(code: int | None) -> str:
    try:
        return DossierStatus(code).label if code is not None else ""
    except ValueError:
        return ""


def _latest(process_key: str) -> ProcessVersion:
    version = latest_version(db.session, process_key)
    if version is None:
        raise NotFound(f"Chưa có phiên bản nào của quy trình “{process_key}”.")
    return version


def _version_of(process_key: str, version_id: int) -> ProcessVersion:
    history = designer.versions(db.session, actor(), process_key)
    if all(v.id != version_id for v in history):
        raise NotFound(f"Phiên bản này không thuộc quy trình “{process_key}”.")
    version = db.session.get(ProcessVersion, version_id)
    assert version is not None  # listed just above
    return version


def _procedures_of(process_key: str) -> list[Any]:
    return [p for p in search_procedures(db.session, "", limit=MAX_CATALOGUE) if p.process_key == process_key]


def _form_json(name: str) -> dict[str, Any]:
    definition = forms().get(name)
    return {"name": name, "title": definition.title, "fields": [asdict(f) for f in definition.fields]}
