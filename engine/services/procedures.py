"""Deploying process versions and reading the procedure catalogue."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from engine import clock
from engine.db import database_key
from engine.forms import FormRegistry
from engine.models import Procedure, ProcessVersion, User
from engine.reference_cache import ReferenceCache
from engine.roles import Role
from engine.services.errors import Forbidden, InvalidInput, NotFound
from engine.text import fold
from engine.workflow import Problem, ProcessSpec, parse_process, validate_bpmn
from engine.workflow.specs import content_hash, executable_process_ids


class InvalidProcess(InvalidInput):
    """A diagram that cannot be deployed; ``problems`` says why, element by element."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            {p.element_id or "_schema": p.message for p in problems},
            "Sơ đồ quy trình chưa hợp lệ: " + "; ".join(str(p) for p in problems),
        )
        self.problems = problems


def check_process(xml: str, forms: FormRegistry) -> list[Problem]:
    return validate_bpmn(xml, forms.names())


def deploy_process(session: Session, actor: User | None, xml: str, forms: FormRegistry) -> ProcessVersion:
    """Validate ``xml`` and store it as the newest version of its process.

    ``actor`` None means the system itself (demo data, migrations). Deploying
    the same content again returns the newest version unchanged.
    """
    if actor is not None and not (actor.has_role(Role.PROCESS_DESIGNER) or actor.has_role(Role.ADMINISTRATOR)):
        raise Forbidden("Chỉ người thiết kế quy trình mới được triển khai quy trình.")
    problems = check_process(xml, forms)
    if problems:
        raise InvalidProcess(problems)
    key = executable_process_ids(xml)[0]
    latest = latest_version(session, key)
    digest = content_hash(xml)
    if latest is not None and latest.content_hash == digest:
        return latest
    number = (session.scalar(select(func.max(ProcessVersion.number)).where(ProcessVersion.process_key == key)) or 0) + 1
    version = ProcessVersion(
        process_key=key,
        number=number,
        bpmn_xml=xml,
        content_hash=digest,
        deployed_by_id=actor.id if actor else None,
        deployed_by_name=actor.full_name if actor else "Hệ thống",
        deployed_at=clock.now(),
    )
    session.add(version)
    session.flush()
    parse_process(xml, key)  # warm the cache for the first dossier
    return version


def latest_version(session: Session, process_key: str) -> ProcessVersion | None:
    return session.scalars(
        select(ProcessVersion)
        .where(ProcessVersion.process_key == process_key)
        .order_by(ProcessVersion.number.desc())
        .limit(1)
    ).first()


SEARCH_LIMIT = 20


def search_procedures(session: Session, query: str, limit: int = SEARCH_LIMIT) -> list[Procedure]:
    """Procedures whose code starts with ``query`` or whose name holds all its words, accents optional.

    "dang ky khai sinh" finds "Đăng ký khai sinh"; a code prefix such as "1.0011" finds by code.
    Codes first, then names that start with the query, then the rest, alphabetically.
    """
    folded = fold(query)[:100]
    if not folded:
        return list(session.scalars(select(Procedure).where(Procedure.active).order_by(Procedure.name).limit(limit)))
    words = folded.split()[:8]
    code_match = Procedure.code.ilike(_escape(query.strip()) + "%", escape="\\")
    name_match = and_(*(Procedure.name_folded.like("%" + _escape(w) + "%", escape="\\") for w in words))
    rank = case((code_match, 0), (Procedure.name_folded.like(_escape(folded) + "%", escape="\\"), 1), else_=2)
    return list(
        session.scalars(
            select(Procedure)
            .where(Procedure.active, or_(code_match, name_match))
            .order_by(rank, Procedure.name_folded)
            .limit(limit)
        )
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def get_procedure(session: Session, code: str) -> Procedure:
    procedure = session.scalars(select(Procedure).where(Procedure.code == code, Procedure.active)).first()
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục có mã “{code}”.")
    return procedure


_processes: dict[tuple[object, int], ProcessSpec] = {}


def process_of_version(session: Session, version_id: int) -> ProcessSpec:
    """The parsed process of a deployed version; versions never change, so each is parsed once per process.

    Keyed by database and id, so the hot paths neither fetch nor hash the XML again, and two
    databases served by one process (tests, tools) never share a version's row id.
    """
    key = (database_key(session), version_id)
    process = _processes.get(key)
    if process is None:
        xml, process_key = session.execute(
            select(ProcessVersion.bpmn_xml, ProcessVersion.process_key).where(ProcessVersion.id == version_id)
        ).one()
        process = _processes[key] = parse_process(xml, process_key)
    return process



# A procedure's name is in every notice of every step; the catalogue changes a few times a year.
_NAME = select(Procedure.name).where(Procedure.id == bindparam("procedure_id"))
_names: ReferenceCache[str] = ReferenceCache()


def procedure_name(session: Session, procedure_id: int) -> str:
    """The procedure's name, read at most once a minute per process."""

    def load() -> str:
        return session.connection().execute(_NAME, {"procedure_id": procedure_id}).scalar() or ""

    return _names.get(session, procedure_id, load)


def forget_cached_names() -> None:
    """After the catalogue changed in this process: the next notices name procedures as they now are."""
    _names.forget()
