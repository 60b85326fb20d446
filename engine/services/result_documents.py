"""Each dossier's result document: drafted while it is examined, issued once when it is resolved, verifiable.

``issue_result`` runs in the transaction that moves the dossier to status 9 (see
``engine.services.events``). It fills the procedure's result template from the
dossier and its workflow data, gives it a number and a random verification code,
and keeps the filled fields (JSON) and the SHA-256 of the .docx. The document is
then always re-rendered from that record, and anyone holding the paper can check
it on the public page ``/xac-minh/<code>`` that its QR code points to.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine import clock
from engine.codes import next_document_number
from engine.documents.dates import BLANK
from engine.documents.notices import (
    ResultData,
    ResultTemplate,
    date_in_words,
    mask_name,
    render_document,
    result_template,
)
from engine.models import Dossier, HistoryEvent, IssuedDocument, Procedure, User, WorkflowState
from engine.services import notifications
from engine.services.calendars import unit_name
from engine.services.documents import place_of
from engine.services.dossiers import get_dossier
from engine.services.errors import NotFound
from engine.services.procedures import process_of_version
from engine.workflow import load_instance

RESULT = "result"
# No 0/O, 1/I/L: a code read off paper and typed in cannot be mistyped into another one.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 31^10 ≈ 8·10^14 codes; the public check is rate limited
VERIFY_PATH = "/xac-minh/"
# Where the public verification page lives, for the QR code printed when a result is issued outside a
# request (the web app reads the same variable: webapp/config.py PUBLIC_BASE_URL).
PUBLIC_BASE_URL_ENV = "MOTCUA_PUBLIC_BASE_URL"
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:5000"

LEGAL_BASIS = (
    "Luật Tổ chức chính quyền địa phương năm 2025",
    "Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ về thực hiện thủ tục hành chính "
    "theo cơ chế một cửa, một cửa liên thông tại Bộ phận Một cửa và Cổng Dịch vụ công quốc gia",
)
_LEGAL_TEXT = re.compile(r"^(Luật|Bộ luật|Nghị định|Nghị quyết|Thông tư|Quyết định)\b")
SEX = {"male": "Nam", "female": "Nữ"}

log = logging.getLogger(__name__)


def public_base_url() -> str:
    """Where the public pages live: what the web app configured for the notices, else the environment."""
    return notifications.public_base_url() or os.environ.get(PUBLIC_BASE_URL_ENV, DEFAULT_PUBLIC_BASE_URL)


def verify_url(base_url: str, verification_code: str) -> str:
    """The public page that checks ``verification_code``: what the result's QR code holds."""
    return base_url.rstrip("/") + VERIFY_PATH + verification_code


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """A code as typed: spaces and hyphens dropped, upper case."""
    return re.sub(r"[\s\-]", "", text or "").upper()


def agency_short(name: str) -> str:
    """The issuer's abbreviation in a document number: "Ủy ban nhân dân tỉnh …" -> "UBND", "Sở Xây dựng" -> "SXD"."""
    if name.lower().startswith(("ủy ban nhân dân", "uỷ ban nhân dân")):
        return "UBND"
    words = re.sub(r"\b(tỉnh|thành phố|xã|phường|huyện)\b.*$", "", name, flags=re.IGNORECASE).split()
    return "".join(word[0].upper() for word in words) or "CQ"


def signer_title(template: str, agency_name: str) -> str:
    if template == "trich_luc_khai_sinh":
        return "NGƯỜI KÝ TRÍCH LỤC"
    if agency_short(agency_name) == "UBND":
        return "TM. ỦY BAN NHÂN DÂN"
    return "THỦ TRƯỞNG CƠ QUAN"


def workflow_data(session: Session, dossier: Any) -> dict[str, Any]:
    """The dossier's workflow data as it stands (read from the table, so a write earlier in the transaction counts)."""
    if dossier.process_version_id is None:
        return {}
    state = session.execute(select(WorkflowState.state).where(WorkflowState.dossier_id == dossier.id)).scalar()
    if state is None:
        return {}
    return load_instance(process_of_version(session, dossier.process_version_id), state).data


def examination_text(session: Session, dossier_id: int, data: dict[str, Any]) -> str:
    """The examiner's conclusion: the workflow's ``examination``, else the latest note of a completed step."""
    if str(data.get("examination") or "").strip():
        return str(data["examination"]).strip()
    note = session.scalars(
        select(HistoryEvent.note)
        .where(HistoryEvent.dossier_id == dossier_id, HistoryEvent.action == "complete", HistoryEvent.note != "")
        .order_by(HistoryEvent.id.desc())
        .limit(1)
    ).first()
    return note or ""


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def template_fields(template: str, data: dict[str, Any]) -> dict[str, str]:
    """The procedure-specific fields of ``template``, as printed, from the workflow data."""
    text = {k: str(v).strip() for k, v in data.items() if v is not None and not isinstance(v, (dict, list))}
    if template == "trich_luc_khai_sinh":
        born = _day(text.get("child_birth_date", ""))
        return {
            "child_full_name_upper": text.get("child_full_name", "").upper(),
            "child_birth_date": born.strftime("%d/%m/%Y") if born else "",
            "child_birth_date_words": date_in_words(born) if born else "",
            "child_sex": SEX.get(text.get("child_sex", ""), ""),
            "ethnicity": text.get("ethnicity", ""),
            "nationality": text.get("nationality", "Việt Nam"),
            "birth_place": text.get("birth_place", ""),
            "mother_full_name": text.get("mother_full_name", ""),
            "father_full_name": text.get("father_full_name", ""),
            "declarant_relationship": text.get("declarant_relationship", ""),
        }
    fields = {name: text.get(name, "") for name in result_template(template).fields}
    if template == "giay_phep_xay_dung":
        fields["construction_name"] = fields["construction_name"] or "Nhà ở riêng lẻ"
    return fields


def _legal_basis(source: str) -> tuple[str, ...]:
    cited = tuple(part.strip() for part in source.split(";") if _LEGAL_TEXT.match(part.strip()))
    return LEGAL_BASIS + cited


def template_of(procedure: Any) -> ResultTemplate:
    """The result template of ``procedure`` (ORM object or row); the generic decision if it names one that
    does not exist, so that a catalogue mistake never blocks approving a dossier."""
    try:
        return result_template(procedure.result_template)
    except ValueError:
        log.warning("procedure %s names an unknown result template %r", procedure.code, procedure.result_template)
        return result_template("")


def _result_data(
    session: Session,
    dossier: Any,
    *,
    now: datetime,
    signer_name: str,
    number: str,
    draft: bool,
    workflow: dict[str, Any] | None = None,
    procedure: Any = None,
) -> ResultData:
    """The result's fields; ``dossier`` an ORM object or a row of its columns (then pass ``procedure``)."""
    procedure = procedure if procedure is not None else dossier.procedure
    template = template_of(procedure)
    agency_name = unit_name(session, dossier.agency_id)
    data = workflow if workflow is not None else workflow_data(session, dossier)
    return ResultData(
        template=template.name,
        title=template.title,
        agency_name=agency_name,
        unit_name=unit_name(session, dossier.department_id),
        place=place_of(agency_name),
        issued_at=now,
        number=number,
        dossier_code=dossier.code,
        applicant_kind=dossier.applicant_kind,
        applicant_name=dossier.applicant_name,
        organisation_name=dossier.organisation_name,
        id_number=dossier.id_number,
        address=dossier.address,
        procedure_name=procedure.name,
        procedure_code=procedure.code,
        result_name=procedure.result,
        received_at=dossier.received_at,
        examination=examination_text(session, dossier.id, data),
        signer_title=signer_title(template.name, agency_name),
        signer_name=signer_name,
        legal_basis=_legal_basis(procedure.source),
        fields=template_fields(template.name, data),
        draft=draft,
    )


def draft_result(session: Session, actor: User, code: str) -> bytes:
    """The result as it would be issued now, marked "DỰ THẢO", without number or verification code."""
    dossier = get_dossier(session, actor, code)
    data = _result_data(session, dossier, now=clock.now(), signer_name="", number="", draft=True)
    return render_document(data)


def live_result(session: Session, dossier_id: int) -> IssuedDocument | None:
    found = session.connection().execute(_LIVE_RESULT, {"dossier_id": dossier_id}).scalar()
    return session.get(IssuedDocument, found) if found is not None else None


_LIVE_RESULT = (
    select(IssuedDocument.id)
    .where(
        IssuedDocument.dossier_id == bindparam("dossier_id"),
        IssuedDocument.kind == RESULT,
        IssuedDocument.revoked_at.is_(None),
    )
    .order_by(IssuedDocument.id.desc())
    .limit(1)
)
_DOSSIER_ROW = select(Dossier.__table__).where(Dossier.__table__.c.id == bindparam("dossier_id"))
_PROCEDURE_ROW = select(Procedure.__table__).where(Procedure.__table__.c.id == bindparam("procedure_id"))
_CODE_TAKEN = select(IssuedDocument.id).where(IssuedDocument.verification_code == bindparam("code"))


def _next_number(session: Session, agency_id: int, year: int) -> int:
    """The next number of the agency's results this year: one upsert, race-free on every backend."""
    return next_document_number(session, agency_id, year, RESULT)


def _unused_code(session: Session) -> str:
    while True:
        code = new_verification_code()
        if session.connection().execute(_CODE_TAKEN, {"code": code}).first() is None:
            return code


def issue_result(
    session: Session,
    dossier_id: int,
    signer: Any,
    now: datetime,
    base_url: str | None = None,
    workflow: dict[str, Any] | None = None,
    dossier: Any = None,
) -> IssuedDocument:
    """Issue the dossier's result, signed by ``signer`` (a user or an actor reference); the live one if issued.

    Writes through the caller's session and transaction; ``base_url`` is where the public verification page
    lives (by default the ``MOTCUA_PUBLIC_BASE_URL`` the web app uses too). ``workflow``: the workflow's data,
    when the caller has the instance in hand (else it is read back from the stored state); ``dossier``: the
    dossier's columns (ORM object or row), when the caller has them. Reads rows, not ORM objects: it runs
    inside the approval step.
    """
    existing = live_result(session, dossier_id)
    if existing is not None:
        return existing
    conn = session.connection()
    if dossier is None:
        dossier = conn.execute(_DOSSIER_ROW, {"dossier_id": dossier_id}).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    procedure = conn.execute(_PROCEDURE_ROW, {"procedure_id": dossier.procedure_id}).one()
    template = template_of(procedure)
    sequence = _next_number(session, dossier.agency_id, now.year)
    number = f"{sequence}/{template.symbol.format(short=agency_short(unit_name(session, dossier.agency_id)))}"
    code = _unused_code(session)
    signer_name = getattr(signer, "full_name", "") or ""
    data = _result_data(
        session,
        dossier,
        now=now,
        signer_name=signer_name,
        number=number,
        draft=False,
        workflow=workflow,
        procedure=procedure,
    )
    data = _with_code(data, code, verify_url(base_url or public_base_url(), code))
    # The record, not a rendering, is what is issued: every download is rendered from it, so its hash
    # pins the document down, and the approval step does not wait for a .docx to be built.
    content = data.to_json()
    document = IssuedDocument(
        dossier_id=dossier.id,
        kind=RESULT,
        title=data.title,
        number=number,
        verification_code=code,
        holder_name=data.holder_name,
        content=content,
        sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        issued_at=now,
        issued_by_id=getattr(signer, "id", None),
        signed_by_name=signer_name,
    )
    session.add(document)
    session.flush()
    return document


def _with_code(data: ResultData, code: str, url: str) -> ResultData:
    return replace(data, verification_code=code, verify_url=url)


def issued_result(session: Session, actor: User, code: str) -> IssuedDocument:
    """The dossier's live result, for staff who may see the dossier."""
    dossier = get_dossier(session, actor, code)
    document = live_result(session, dossier.id)
    if document is None:
        raise NotFound("Hồ sơ này chưa có kết quả được ký ban hành.")
    return document


def result_data(session: Session, actor: User, code: str) -> ResultData:
    """The issued result's fields, as stored when it was issued."""
    return ResultData.from_json(issued_result(session, actor, code).content)


def result_docx(session: Session, actor: User, code: str) -> bytes:
    """The issued result, re-rendered from its stored content."""
    return render_document(result_data(session, actor, code))


@dataclass(frozen=True)
class PublicVerification:
    """What anyone holding the paper may learn from its verification code."""

    verification_code: str
    title: str
    number: str
    issued_at: datetime
    issuer: str
    signed_by: str
    dossier_code: str
    procedure_name: str
    holder: str  # a person's name partly masked; an organisation's in full
    revoked: bool
    revoked_at: datetime | None


def verify(session: Session, verification_code: str) -> PublicVerification | None:
    """The issued document behind ``verification_code``, or None: then the paper was not issued here."""
    code = normalise_code(verification_code)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    document = session.scalars(select(IssuedDocument).where(IssuedDocument.verification_code == code)).first()
    if document is None:
        return None
    dossier = session.get(Dossier, document.dossier_id)
    stored = ResultData.from_json(document.content) if document.kind == RESULT else None
    organisation = bool(stored and stored.organisation_name)
    return PublicVerification(
        verification_code=document.verification_code,
        title=document.title,
        number=document.number or BLANK,
        issued_at=document.issued_at,
        issuer=stored.agency_name if stored else "",
        signed_by=document.signed_by_name,
        dossier_code=dossier.code if dossier else "",
        procedure_name=stored.procedure_name if stored else (dossier.procedure.name if dossier else ""),
        holder=document.holder_name if organisation else mask_name(document.holder_name),
        revoked=document.revoked_at is not None,
        revoked_at=document.revoked_at,
    )
