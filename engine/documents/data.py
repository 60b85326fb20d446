"""What a receipt document prints, and nothing else.

The renderers take this flat, already-formatted record instead of ORM objects so
that the documents can be produced (and tested) without a database, and so that
the web layer decides what a field says (e.g. which officer, which return place).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FORMS = ("mau-01", "mau-02", "mau-03")


@dataclass(frozen=True)
class ComponentLine:
    """One row of the components table: a document of the dossier and how many of each kind."""

    name: str
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0
    reason: str = ""  # Mẫu 02: why it must be added or completed


@dataclass(frozen=True)
class ReceiptData:
    """The fields of Mẫu 01–03 (Thông tư 03/2025/TT-VPCP, Phụ lục I)."""

    form: str  # "mau-01" | "mau-02" | "mau-03"
    agency_name: str  # printed upper-case on the left header
    unit_name: str  # the receiving unit
    place: str  # place for the date line
    issued_at: datetime
    dossier_code: str
    lookup_url: str  # absolute URL of the public lookup for this dossier (the QR target)
    applicant_name: str
    id_number: str
    address: str
    phone: str
    email: str
    procedure_name: str
    procedure_code: str
    components: tuple[ComponentLine, ...]
    sets_count: int
    legal_time: str  # e.g. "15 ngày làm việc"
    received_at: datetime
    due_at: datetime | None
    return_place: str
    fee: str
    register_book: str  # Quyển số
    register_number: str  # Số thứ tự
    officer_name: str  # người tiếp nhận / người hướng dẫn
    organisation_name: str = ""
    tax_code: str = ""
    reason: str = ""  # Mẫu 03: the refusal reason
    contact: str = ""  # Mẫu 02: how to reach the guiding officer
