"""The receipts a dossier gets at the counter (Mẫu 01–03), filled from what the database holds."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from engine import clock
from engine.documents.data import ComponentLine, ReceiptData
from engine.models import Dossier, User
from engine.services.dossiers import get_dossier
from engine.services.errors import Conflict, NotFound
from engine.status import DossierStatus

FORM_TITLES = {
    "mau-01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "mau-02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "mau-03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
}


def receipt_form_of(dossier: Dossier) -> str:
    """Which receipt the dossier got at the counter."""
    if dossier.status == DossierStatus.REFUSED:
        return "mau-03"
    if dossier.process_version_id is None:
        return "mau-02"
    return "mau-01"


def place_of(agency_name: str) -> str:
    """ "Ủy ban nhân dân tỉnh Bình Phước" -> "Bình Phước" (the place on the date line)."""
    match = re.search(r"(?:tỉnh|thành phố|xã|phường|huyện)\s+(.+)$", agency_name, flags=re.IGNORECASE)
    return match.group(1) if match else agency_name


def receipt_data(session: Session, actor: User, code: str, form: str, lookup_url: str) -> ReceiptData:
    """The fields of receipt ``form`` for dossier ``code``; staff of the dossier's agency only."""
    if form not in FORM_TITLES:
        raise NotFound("Không có biểu mẫu này.")
    dossier = get_dossier(session, actor, code)  # checks that the actor may see it
    return receipt_of(session, dossier, form, lookup_url)


def receipt_of(session: Session, dossier: Dossier, form: str, lookup_url: str) -> ReceiptData:
    """The fields of receipt ``form`` of a dossier the caller has already been allowed to see."""
    # Mẫu 02 also serves a supplement asked for during processing (the components carry the reasons).
    asked_in_processing = form == "mau-02" and any(row.missing_reason for row in dossier.components)
    if form != receipt_form_of(dossier) and not asked_in_processing:
        raise Conflict(f"Hồ sơ này không có {FORM_TITLES[form].lower()}.")
    procedure = dossier.procedure
    counter = dossier.receiving_unit
    officer = session.get(User, dossier.received_by_id) if dossier.received_by_id else None
    rows = dossier.components
    if form == "mau-02":
        rows = [row for row in rows if row.missing_reason]
    elif form == "mau-01":
        rows = [row for row in rows if row.submitted]
    return ReceiptData(
        form=form,
        agency_name=counter.agency.name,
        unit_name=counter.name,
        place=place_of(counter.agency.name),
        issued_at=clock.now(),
        dossier_code=dossier.code,
        lookup_url=lookup_url,
        applicant_name=dossier.applicant_name,
        id_number=dossier.id_number,
        address=dossier.address,
        phone=dossier.phone,
        email=dossier.email,
        procedure_name=procedure.name,
        procedure_code=procedure.code,
        components=tuple(
            ComponentLine(
                name=row.name,
                originals=row.originals,
                certified_copies=row.certified_copies,
                photocopies=row.photocopies,
                reason=row.missing_reason,
            )
            for row in rows
        ),
        sets_count=dossier.sets_count,
        legal_time=procedure.time_label,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        return_place=counter.name if dossier.return_method == "counter" else "Qua dịch vụ bưu chính công ích",
        fee=procedure.fee or "Không",
        register_book=f"{dossier.received_at:%Y}",
        register_number=str(int(dossier.code.rsplit("-", 1)[-1])),
        officer_name=officer.full_name if officer else "",
        organisation_name=dossier.organisation_name,
        tax_code=dossier.tax_code,
        reason=dossier.refusal_reason,
        contact=f"{officer.full_name}, {counter.name}" if officer else counter.name,
    )
