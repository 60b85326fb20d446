"""The documents of processing and their renderers: Mẫu 04, 05, 06 and each procedure's result.

- Mẫu 04 (``ApologyData``): the apology with a new return date, owed before a dossier goes late.
- Mẫu 05 (``StopData``): processing is stopped, with the reason.
- Mẫu 06 (``ControlSlipData``): the control slip, one row per handover, each classified
  trước hạn / đúng hạn / quá hạn against its step's due time, by date (domain.md §6).
- The result (``ResultData``): a decision, permit or extract, with the verification code and
  a QR code to the public verification page; the draft carries "DỰ THẢO" and no code.

Like ``ReceiptData``, these are flat, already-formatted records: the renderers need no
database, and an issued result is re-rendered from the JSON it was stored as.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from docxtpl import DocxTemplate

from engine.documents.dates import BLANK, clock_date, date_words, place_date
from engine.documents.render import TEMPLATES, barcode_image, docx_to_pdf, fill_template, qr_image

NOTICE_FORMS = ("mau-04", "mau-05", "mau-06")
BEFORE, ON_TIME, LATE = "Trước hạn", "Đúng hạn", "Quá hạn"


def timeliness(at: datetime, due_at: datetime | None) -> str:
    """Trước hạn / đúng hạn / quá hạn of a step finished at ``at``, by date; no due date counts as on time."""
    if due_at is None or at.date() == due_at.date():
        return ON_TIME
    return BEFORE if at.date() < due_at.date() else LATE


# --- Vietnamese numbers and dates in words -------------------------------------------------------

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_MONTHS = ("", "một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai")


def number_words(n: int) -> str:
    """0–9999 in Vietnamese words: 2026 -> "hai nghìn không trăm hai mươi sáu"."""
    if not 0 <= n <= 9999:
        raise ValueError("Chỉ đọc được số từ 0 đến 9999")
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, units = divmod(n, 10)
        head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
        if units == 0:
            return head
        if units == 1:
            return f"{head} {'một' if tens == 1 else 'mốt'}"
        if units == 4 and tens > 1:
            return f"{head} tư"
        if units == 5:
            return f"{head} lăm"
        return f"{head} {_DIGITS[units]}"
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = f"{_DIGITS[hundreds]} trăm"
        if rest == 0:
            return head
        return f"{head} linh {_DIGITS[rest]}" if rest < 10 else f"{head} {number_words(rest)}"
    thousands, rest = divmod(n, 1000)
    head = f"{number_words(thousands)} nghìn"
    if rest == 0:
        return head
    if rest < 100:
        tail = f"linh {_DIGITS[rest]}" if rest < 10 else number_words(rest)
        return f"{head} không trăm {tail}"
    return f"{head} {number_words(rest)}"


def date_in_words(day: date) -> str:
    """``Ngày mười lăm, tháng ba, năm hai nghìn không trăm hai mươi sáu``, as a civil-status record writes it."""
    day_words = f"mồng {number_words(day.day)}" if day.day <= 10 else number_words(day.day)
    return f"Ngày {day_words}, tháng {_MONTHS[day.month]}, năm {number_words(day.year)}"


def mask_name(name: str) -> str:
    """A person's name as a public page may show it: "Nguyễn Văn An" -> "Nguyễn V** A**"."""
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + "**"
    return " ".join([words[0], *(word[0] + "**" for word in words[1:])])


def _text(value: str) -> str:
    return value.strip() or BLANK


def _header(agency_name: str, unit_name: str, place: str, issued_at: datetime, number: str) -> dict[str, Any]:
    return {
        "agency_name": agency_name,
        "unit_name": unit_name,
        "agency_upper": agency_name.upper(),
        "unit_upper": unit_name.upper(),
        "place_date": place_date(place, issued_at),
        "number": _text(number),
    }


# --- Mẫu 04 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApologyData:
    """Mẫu 04: apology for the delay, its reason and the unit at fault, and the new return date."""

    form: ClassVar[str] = "mau-04"

    agency_name: str
    unit_name: str  # the issuing unit under the agency (the department handling the dossier)
    receiving_unit: str  # where the dossier was received
    place: str
    issued_at: datetime
    dossier_code: str
    applicant_name: str
    address: str
    procedure_name: str
    received_at: datetime
    previous_due_at: datetime | None
    new_due_at: datetime
    reason: str
    unit_at_fault: str
    sequence: int = 1  # the how-many-th extension of this dossier
    number: str = ""
    signer_title: str = "THỦ TRƯỞNG CƠ QUAN"
    signer_name: str = ""

    def context(self, tpl: DocxTemplate) -> dict[str, Any]:
        return {
            **_header(self.agency_name, self.unit_name, self.place, self.issued_at, self.number),
            "receiving_unit": self.receiving_unit,
            "dossier_code": self.dossier_code,
            "applicant_name": self.applicant_name,
            "address": self.address.strip(),
            "procedure_name": self.procedure_name,
            "received_text": clock_date(self.received_at),
            "previous_due_text": clock_date(self.previous_due_at),
            "new_due_text": clock_date(self.new_due_at),
            "reason": _text(self.reason),
            "unit_at_fault": _text(self.unit_at_fault),
            "sequence": self.sequence,
            "signer_title": self.signer_title,
            "signer_name": self.signer_name,
            "recipient": f"Ông (Bà) {self.applicant_name}",
            "archive": self.unit_name,
        }


# --- Mẫu 05 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StopData:
    """Mẫu 05: processing of the dossier stopped, and why."""

    form: ClassVar[str] = "mau-05"

    agency_name: str
    unit_name: str
    receiving_unit: str
    place: str
    issued_at: datetime
    dossier_code: str
    applicant_name: str
    id_number: str
    address: str
    procedure_name: str
    received_at: datetime
    stopped_at: datetime
    reason: str
    number: str = ""
    signer_title: str = "THỦ TRƯỞNG CƠ QUAN"
    signer_name: str = ""

    def context(self, tpl: DocxTemplate) -> dict[str, Any]:
        return {
            **_header(self.agency_name, self.unit_name, self.place, self.issued_at, self.number),
            "receiving_unit": self.receiving_unit,
            "dossier_code": self.dossier_code,
            "applicant_name": self.applicant_name,
            "id_number": self.id_number.strip(),
            "address": self.address.strip(),
            "procedure_name": self.procedure_name,
            "received_text": clock_date(self.received_at),
            "stopped_text": clock_date(self.stopped_at),
            "reason": _text(self.reason),
            "signer_title": self.signer_title,
            "signer_name": self.signer_name,
            "recipient": f"Ông (Bà) {self.applicant_name}",
            "archive": self.unit_name,
        }


# --- Mẫu 06 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlRow:
    """One handover of the dossier: who gave it, who received it, when, against which due time."""

    giver_unit: str
    giver_name: str
    receiver_unit: str
    receiver_name: str
    at: datetime
    due_at: datetime | None = None  # the giver's step's due time
    note: str = ""

    @property
    def outcome(self) -> str:
        return timeliness(self.at, self.due_at)

    @property
    def time_text(self) -> str:
        return clock_date(self.at)


@dataclass(frozen=True)
class ControlSlipData:
    """Mẫu 06: the control slip that follows the dossier, from its history."""

    form: ClassVar[str] = "mau-06"

    agency_name: str
    unit_name: str  # the receiving unit, which keeps this copy
    place: str
    issued_at: datetime
    dossier_code: str
    applicant_name: str
    procedure_name: str
    handling_unit: str
    received_at: datetime
    due_at: datetime | None
    rows: tuple[ControlRow, ...]
    cooperating_units: str = ""

    def context(self, tpl: DocxTemplate) -> dict[str, Any]:
        return {
            **_header(self.agency_name, self.unit_name, self.place, self.issued_at, ""),
            "dossier_code": self.dossier_code,
            "barcode": barcode_image(tpl, self.dossier_code),
            "applicant_name": self.applicant_name,
            "procedure_name": self.procedure_name,
            "handling_unit": _text(self.handling_unit),
            "cooperating_units": _text(self.cooperating_units),
            "received_text": clock_date(self.received_at),
            "due_text": clock_date(self.due_at),
            "rows": [
                {
                    "index": index,
                    "giver_unit": _text(row.giver_unit),
                    "giver_name": _text(row.giver_name),
                    "receiver_unit": _text(row.receiver_unit),
                    "receiver_name": _text(row.receiver_name),
                    "time_text": row.time_text,
                    "outcome": row.outcome,
                    "note": row.note.strip(),
                }
                for index, row in enumerate(self.rows, start=1)
            ],
        }


# --- the result --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultTemplate:
    """A result document's template: its file stem, its title and how its number is written."""

    name: str
    title: str
    symbol: str  # after "<seq>/"; "{short}" is the issuing agency's abbreviation
    recipient: str  # the first line of "Nơi nhận"
    fields: tuple[str, ...] = ()  # procedure-specific fields the template prints (blank when unknown)


GENERIC_RESULT = "ket_qua_chung"
PERMIT_FIELDS = (
    "construction_name", "design_by", "construction_site", "ground_level", "building_density", "red_line",
    "building_area", "total_floor_area", "height", "floors", "land_document",
)  # fmt: skip
BIRTH_EXTRACT_FIELDS = (
    "child_full_name_upper", "child_birth_date", "child_birth_date_words", "child_sex", "ethnicity", "nationality",
    "birth_place", "mother_full_name", "father_full_name", "declarant_relationship",
)  # fmt: skip
RESULT_TEMPLATES: dict[str, ResultTemplate] = {
    t.name: t
    for t in (
        ResultTemplate(GENERIC_RESULT, "Quyết định về việc giải quyết thủ tục hành chính", "QĐ-{short}", "Như Điều 3"),
        ResultTemplate("giay_phep_xay_dung", "Giấy phép xây dựng", "GPXD", "Chủ đầu tư", PERMIT_FIELDS),
        ResultTemplate("trich_luc_khai_sinh", "Trích lục khai sinh", "TLKS", "Người yêu cầu", BIRTH_EXTRACT_FIELDS),
    )
}


def result_template(name: str) -> ResultTemplate:
    """The template a procedure names (``"giay_phep_xay_dung.docx"`` or its stem); the generic one if empty."""
    stem = Path(name.strip()).stem if name.strip() else GENERIC_RESULT
    if stem not in RESULT_TEMPLATES:
        raise ValueError(f"Không có mẫu kết quả {name!r}; chỉ có {', '.join(sorted(RESULT_TEMPLATES))}")
    return RESULT_TEMPLATES[stem]


_DATETIME_FIELDS = ("issued_at", "received_at")


@dataclass(frozen=True)
class ResultData:
    """The result document of a dossier, as issued (or as drafted when ``draft``)."""

    form: ClassVar[str] = "result"

    template: str  # a key of RESULT_TEMPLATES
    title: str
    agency_name: str
    unit_name: str  # the department that examined the dossier
    place: str
    issued_at: datetime
    number: str
    dossier_code: str
    applicant_kind: str  # person | organisation
    applicant_name: str
    organisation_name: str
    id_number: str
    address: str
    procedure_name: str
    procedure_code: str
    result_name: str
    received_at: datetime
    examination: str
    signer_title: str
    signer_name: str
    legal_basis: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)
    verification_code: str = ""
    verify_url: str = ""
    draft: bool = False

    @property
    def holder_name(self) -> str:
        """Who the document is issued to: the organisation when there is one, else the person."""
        return self.organisation_name or self.applicant_name

    @property
    def holder_line(self) -> str:
        if self.organisation_name:
            return f"{self.organisation_name} (người đại diện: Ông (Bà) {self.applicant_name})"
        return f"Ông (Bà) {self.applicant_name}"

    def to_json(self) -> str:
        """What is stored with the issued document; ``from_json`` gives back an equal record."""
        values = asdict(self)
        for name in _DATETIME_FIELDS:
            values[name] = values[name].isoformat()
        values["legal_basis"] = list(self.legal_basis)
        return json.dumps(values, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ResultData:
        values = json.loads(text)
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in values.items() if k in known}
        for name in _DATETIME_FIELDS:
            values[name] = datetime.fromisoformat(values[name])
        values["legal_basis"] = tuple(values.get("legal_basis", ()))
        return cls(**values)

    def context(self, tpl: DocxTemplate) -> dict[str, Any]:
        spec = result_template(self.template)
        shown = {name: _text(self.fields.get(name, "")) for name in spec.fields}
        return {
            **_header(self.agency_name, self.unit_name, self.place, self.issued_at, self.number),
            "draft": self.draft,
            "title": self.title,
            "dossier_code": self.dossier_code,
            "holder_line": self.holder_line,
            "applicant_name": self.applicant_name,
            "id_number": self.id_number.strip(),
            "address": _text(self.address),
            "procedure_name": self.procedure_name,
            "procedure_code": self.procedure_code,
            "result_name": _text(self.result_name),
            "received_text": date_words(self.received_at),
            "issued_date": self.issued_at.strftime("%d/%m/%Y"),
            "examination": _text(self.examination),
            "legal_basis": list(self.legal_basis),
            "f": shown,
            "signer_title": self.signer_title,
            "signer_name": self.signer_name,
            "recipient": spec.recipient,
            "archive": self.unit_name,
            "verification_code": self.verification_code,
            "verify_url": self.verify_url,
            "qr": qr_image(tpl, self.verify_url) if self.verify_url and not self.draft else "",
        }


Document = ApologyData | StopData | ControlSlipData | ResultData


def template_path(data: Document) -> Path:
    stem = result_template(data.template).name if isinstance(data, ResultData) else data.form.replace("-", "_")
    return TEMPLATES / f"{stem}.docx"


def render_document(data: Document) -> bytes:
    """The filled .docx of a Mẫu 04, 05, 06 or result record."""
    return fill_template(template_path(data), data.context)


def render_document_pdf(data: Document, timeout: float = 60) -> bytes:
    """The printable PDF (LibreOffice); ``PdfUnavailable`` when it cannot be made here."""
    return docx_to_pdf(render_document(data), timeout=timeout)
