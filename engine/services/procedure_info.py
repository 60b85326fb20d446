"""The public procedure pages: the catalogue as citizens read it, searched without diacritics."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from engine.documents.blank_form import BlankComponent, BlankField, blank_form_docx
from engine.forms import FormRegistry
from engine.models import Field, Procedure
from engine.models.catalogue import ONLINE_LEVELS
from engine.services.errors import NotFound
from engine.text import fold

ONLINE_CHOICES = {k: v for k, v in ONLINE_LEVELS.items() if k != "none"}
MAX_RESULTS = 200


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_procedures(session: Session, query: str = "", field_code: str = "", online_level: str = "") -> list[Procedure]:
    """Active procedures whose code or name holds every word of ``query``, accents optional on both sides.

    ``field_code`` keeps one lĩnh vực; ``online_level`` one level ("toan_trinh", "mot_phan", or "none"
    for those only offered at the counter). Unknown filter values are ignored rather than refused:
    they come from links people share.
    """
    words = fold(query)[:100].split()[:8]
    conditions = [Procedure.active]
    for word in words:
        pattern = "%" + _escape(word) + "%"
        conditions.append(Procedure.name_folded.like(pattern, escape="\\") | Procedure.code.ilike(pattern, escape="\\"))
    statement = select(Procedure).options(selectinload(Procedure.components))
    if field_code:
        statement = statement.join(Field, Field.id == Procedure.field_id)
        conditions.append(Field.code == field_code)
    if online_level in ONLINE_LEVELS:
        conditions.append(Procedure.online_level == online_level)
    return list(session.scalars(statement.where(and_(*conditions)).order_by(Procedure.name_folded).limit(MAX_RESULTS)))


def fields_offered(session: Session) -> list[Field]:
    """The fields that have at least one active procedure, for the filter."""
    return list(
        session.scalars(
            select(Field).where(Field.id.in_(select(Procedure.field_id).where(Procedure.active))).order_by(Field.name)
        )
    )


def public_procedure(session: Session, code: str) -> Procedure:
    procedure = session.scalars(
        select(Procedure).where(Procedure.code == (code or "").strip(), Procedure.active)
    ).first()
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục có mã “{code}”.")
    return procedure


def offered_online(procedure: Procedure) -> bool:
    return procedure.online_level in ONLINE_CHOICES


def blank_application_form(procedure: Procedure, forms: FormRegistry) -> tuple[bytes, str]:
    """The procedure's application form left blank (.docx) and its file name; a generic request if it has none."""
    definition = forms.get(procedure.application_form) if procedure.application_form in forms.names() else None
    fields = [
        BlankField(f.label, tuple(label for _, label in f.choices) if f.type == "choice" else ())
        for f in (definition.fields if definition else ())
        if f.type != "user"
    ]
    content = blank_form_docx(
        title=definition.title if definition else "Đơn đề nghị",
        procedure_name=procedure.name,
        addressee=procedure.agency.name if procedure.agency else "",
        fields=fields,
        components=[
            BlankComponent(c.name, c.originals, c.certified_copies, c.photocopies, c.required)
            for c in procedure.components
        ],
    )
    return content, f"mau-don_{procedure.code}.docx"
