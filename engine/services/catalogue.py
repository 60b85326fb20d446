"""Loading procedures and their processes from the ``processes/`` folders."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.forms import FormRegistry
from engine.models import Component, Field, Procedure, Unit, User
from engine.services.procedures import deploy_process
from engine.text import fold


def upsert_field(session: Session, code: str, name: str) -> Field:
    field = session.scalars(select(Field).where(Field.code == code)).first()
    if field is None:
        field = Field(code=code, name=name)
        session.add(field)
        session.flush()
    return field


def load_procedure(
    session: Session,
    folder: Path,
    agency: Unit,
    departments: dict[str, Unit],
    forms: FormRegistry,
    actor: User | None = None,
) -> Procedure:
    """Create or update the procedure in ``folder`` and deploy its BPMN if it changed."""
    facts: dict[str, Any] = json.loads((folder / "procedure.json").read_text(encoding="utf-8"))
    xml = (folder / "process.bpmn").read_text(encoding="utf-8")
    version = deploy_process(session, actor, xml, forms)
    field = upsert_field(session, facts["field"]["code"], facts["field"]["name"])
    procedure = session.scalars(select(Procedure).where(Procedure.code == facts["code"])).first()
    if procedure is None:
        procedure = Procedure(code=facts["code"])
        session.add(procedure)
    procedure.name = facts["name"]
    procedure.name_folded = fold(facts["name"])
    procedure.field_id = field.id
    procedure.process_key = version.process_key
    procedure.agency_id = agency.id
    procedure.department_id = departments[facts["department"]].id
    procedure.time_kind = facts["time_kind"]
    procedure.time_value = int(facts.get("time_value", 0))
    procedure.fee = facts.get("fee", "")
    procedure.result = facts.get("result", "")
    procedure.source = facts.get("source", "")
    procedure.online_level = facts.get("online_level", "none")
    procedure.application_form = facts.get("application_form", "")
    procedure.result_template = str(facts.get("result_template") or "").removesuffix(".docx")
    if facts.get("effective_from"):
        procedure.effective_from = date.fromisoformat(facts["effective_from"])
    procedure.components = [
        Component(
            position=index,
            name=item["name"],
            required=bool(item.get("required", True)),
            originals=int(item.get("originals", 1)),
            certified_copies=int(item.get("certified_copies", 0)),
            photocopies=int(item.get("photocopies", 0)),
        )
        for index, item in enumerate(facts.get("components", []), start=1)
    ]
    session.flush()
    return procedure
