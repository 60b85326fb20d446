"""A citizen's own dossiers on the portal, and the second factor that opens a dossier's details.

Every function takes the account (or the second factor) and checks ownership itself: a code
alone never shows anyone's name, number or address. Another citizen's dossier is "not found",
never "forbidden", so codes cannot be probed for their owners.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import codes
from engine.documents.data import ReceiptData
from engine.documents.notices import ResultData, render_document
from engine.models import CitizenAccount, Dossier, IssuedDocument
from engine.services.citizens import normalise_phone
from engine.services.documents import receipt_form_of, receipt_of
from engine.services.dossiers import PublicStatus, lookup_public
from engine.services.errors import Conflict, Forbidden, NotFound
from engine.services.result_documents import live_result
from engine.status import DossierStatus

FACTOR_MISMATCH = (
    "Thông tin xác minh không khớp. Hãy nhập đúng số điện thoại hoặc số CCCD/định danh cá nhân "
    "mà người nộp hồ sơ đã khai khi nộp."
)
NOT_YOURS = "Không tìm thấy hồ sơ mã “{code}” trong tài khoản của Ông/Bà."
FINISHED = frozenset({DossierStatus.RESOLVED, DossierStatus.RETURNED})


def _find(session: Session, code: str) -> Dossier:
    code = (code or "").strip().upper()
    if not codes.is_dossier_code(code):
        raise NotFound("Mã hồ sơ không đúng định dạng (ví dụ 000.00.01.H10-260115-0001).")
    dossier = session.scalars(select(Dossier).where(Dossier.code == code)).first()
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ mã “{code}”. Hãy kiểm tra lại mã trên giấy tiếp nhận.")
    return dossier


def second_factor_matches(dossier: Dossier, factor: str) -> bool:
    """Whether ``factor`` is the applicant's phone number or ID number as given on the dossier."""
    typed = (factor or "").strip()
    if not typed:
        return False
    if dossier.id_number and typed == dossier.id_number:
        return True
    phone = normalise_phone(typed)
    return bool(dossier.phone) and len(phone) >= 9 and phone == normalise_phone(dossier.phone)


def verified_dossier(session: Session, code: str, factor: str) -> Dossier:
    """The dossier ``code`` if ``factor`` proves its applicant; Forbidden with a clear message otherwise."""
    dossier = _find(session, code)
    if not second_factor_matches(dossier, factor):
        raise Forbidden(FACTOR_MISMATCH)
    return dossier


def my_dossiers(session: Session, citizen: CitizenAccount) -> list[Dossier]:
    """The account's dossiers, newest first."""
    return list(
        session.scalars(
            select(Dossier)
            .where(Dossier.citizen_id == citizen.id)
            .order_by(Dossier.received_at.desc(), Dossier.id.desc())
        )
    )


def my_dossier(session: Session, citizen: CitizenAccount, code: str) -> Dossier:
    """One of the account's dossiers; NotFound for any other code, whoever it belongs to."""
    dossier = session.scalars(
        select(Dossier).where(Dossier.code == (code or "").strip().upper(), Dossier.citizen_id == citizen.id)
    ).first()
    if dossier is None:
        raise NotFound(NOT_YOURS.format(code=(code or "").strip()))
    return dossier


def link_dossier(session: Session, citizen: CitizenAccount, code: str, factor: str) -> Dossier:
    """Add a dossier handed in at the counter to the account, proven by the applicant's phone or ID number."""
    dossier = verified_dossier(session, code, factor)
    if dossier.citizen_id == citizen.id:
        raise Conflict(f"Hồ sơ {dossier.code} đã có trong tài khoản của Ông/Bà.")
    if dossier.citizen_id is not None:
        raise Conflict(f"Hồ sơ {dossier.code} đã gắn với một tài khoản khác. Vui lòng liên hệ Bộ phận Một cửa.")
    dossier.citizen_id = citizen.id
    session.flush()
    return dossier


@dataclass(frozen=True)
class ComponentLine:
    name: str
    originals: int
    certified_copies: int
    photocopies: int
    submitted: bool


@dataclass(frozen=True)
class DossierDetails:
    """What the applicant (an owning account, or someone holding the second factor) may see."""

    public: PublicStatus
    dossier_id: int
    has_account: bool  # linked to a citizen account: rated from that account only
    applicant_name: str
    organisation_name: str
    address: str
    phone: str
    channel: int
    components: list[ComponentLine]
    result: IssuedDocument | None  # the live result, once issued
    result_online: bool  # toàn trình: the citizen may download the result document

    @property
    def code(self) -> str:
        return self.public.code

    @property
    def finished(self) -> bool:
        return self.public.status in FINISHED


def details(session: Session, dossier: Dossier) -> DossierDetails:
    """The details of a dossier whose applicant the caller has already proven."""
    result = live_result(session, dossier.id) if DossierStatus(dossier.status) in FINISHED else None
    return DossierDetails(
        public=lookup_public(session, dossier.code),
        dossier_id=dossier.id,
        has_account=dossier.citizen_id is not None,
        applicant_name=dossier.applicant_name,
        organisation_name=dossier.organisation_name,
        address=dossier.address,
        phone=dossier.phone,
        channel=dossier.channel,
        components=[
            ComponentLine(c.name, c.originals, c.certified_copies, c.photocopies, c.submitted)
            for c in dossier.components
        ],
        result=result,
        result_online=dossier.procedure.online_level == "toan_trinh",
    )


def lookup_verified(session: Session, code: str, factor: str) -> DossierDetails:
    """The public lookup with the second factor: the details and the appointment when it matches."""
    return details(session, verified_dossier(session, code, factor))


@dataclass(frozen=True)
class OnlineResult:
    content: bytes
    filename: str
    verification_code: str
    number: str


def online_result(session: Session, citizen: CitizenAccount, code: str) -> OnlineResult:
    """The issued result of one of the account's toàn trình dossiers at status 9 or 10, as .docx."""
    dossier = my_dossier(session, citizen, code)
    if dossier.procedure.online_level != "toan_trinh":
        raise Forbidden(
            "Thủ tục này không trả kết quả trực tuyến. Ông/Bà nhận kết quả tại Bộ phận Một cửa theo giấy hẹn."
        )
    if DossierStatus(dossier.status) not in FINISHED:
        raise Conflict("Hồ sơ chưa có kết quả. Kết quả tải được khi hồ sơ đã xử lý xong.")
    document = live_result(session, dossier.id)
    if document is None:
        raise NotFound("Hồ sơ này chưa có văn bản kết quả được ký ban hành.")
    content = render_document(ResultData.from_json(document.content))
    return OnlineResult(content, f"ket-qua_{dossier.code}.docx", document.verification_code, document.number or "")


def my_receipt(session: Session, citizen: CitizenAccount, code: str, lookup_url: str) -> ReceiptData:
    """The receipt the account's dossier got (Mẫu 01 once accepted, 02 when asked to add, 03 when refused)."""
    dossier = my_dossier(session, citizen, code)
    form = receipt_form_of(dossier)
    if DossierStatus(dossier.status) == DossierStatus.NEW:
        raise NotFound("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận.")
    return receipt_of(session, dossier, form, lookup_url)
