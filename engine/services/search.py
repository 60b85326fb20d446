"""Staff search over dossiers: criteria from typed text, checked, turned into one indexed query.

Meant to stay fast with millions of dossiers (PostgreSQL): the code by a prefix on a
``text_pattern_ops`` index, the ID number and phone by equality, the applicant's folded name
by ``LIKE '%word%'`` on a pg_trgm GIN index, overdue through a partial index on open dossiers.
Whatever a person types is bounded before any query runs (lengths, periods of at most five
years, known units, procedures, fields and people), and on PostgreSQL each statement has a
time limit, so no search runs away with the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload

from engine import clock
from engine.calendar import parse_day
from engine.models import Dossier, Field, Procedure, Task, Unit, User
from engine.services.access import visible_dossiers, visible_unit_ids
from engine.services.errors import InvalidInput
from engine.status import STATUS_LABELS
from engine.text import fold

SORTS = {"received": "Ngày tiếp nhận mới nhất", "due": "Hạn trả gần nhất", "code": "Mã hồ sơ"}
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# Counting every match of a broad search over a million rows costs as much as reading them all;
# past this many the page says "more than 1,000" and offers no deeper pages (20 pages of 50: a
# person narrows the search long before). Measured with 1,000,000 dossiers (bench_dossier_search):
# a one-word name matching 6% of them counts in ~4 ms up to 1,000, but ~300 ms up to 10,000, where
# PostgreSQL switches from a scan that stops early to reading the whole trigram bitmap.
COUNT_CAP = 1_000
MAX_PERIOD_DAYS = 5 * 366
MAX_TEXT = {"code": 60, "name": 100, "id_number": 12, "phone": 15}
MIN_NAME_WORD = 3  # a trigram index serves words of three letters or more; shorter ones alone scan
STATEMENT_TIMEOUT_MS = 5000
# Ended without a result or finished: never overdue (the predicate of the partial index in 0006).
OPEN_CONDITION = "dossier.finished_at IS NULL AND dossier.status NOT IN (3, 7, 8, 9, 10)"
CLOSED_STATUSES = frozenset({3, 7, 8, 9, 10})

_CODE_RE = re.compile(r"^[A-Z0-9.\-]+$")
_TRUE = ("1", "true", "on", "yes", "co")


class SearchTooSlow(InvalidInput):
    """The database gave up on the search within its time limit."""

    def __init__(self) -> None:
        message = "Tìm kiếm mất quá nhiều thời gian. Hãy thu hẹp điều kiện (mã, tên, thời gian) rồi thử lại."
        super().__init__({"_schema": message}, message)


@dataclass(frozen=True)
class SearchCriteria:
    code: str = ""
    name: str = ""
    id_number: str = ""
    phone: str = ""
    procedure: int | None = None
    field: int | None = None
    status: int | None = None
    unit: int | None = None
    handler: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool = False
    sort: str = "received"
    page: int = 1
    per_page: int = PAGE_SIZE

    def to_args(self, paging: bool = True) -> dict[str, str]:
        """The query parameters that give these criteria back (defaults left out)."""
        out: dict[str, str] = {}
        defaults = SearchCriteria()
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(defaults, f.name) or (not paging and f.name in ("page", "per_page")):
                continue
            out[f.name] = "1" if value is True else value.isoformat() if isinstance(value, date) else str(value)
        return out

    @property
    def is_empty(self) -> bool:
        """No criterion given (a sort alone filters nothing)."""
        return not (self.to_args(paging=False).keys() - {"sort"})


@dataclass(frozen=True)
class SearchPage:
    dossiers: list[Dossier]
    total: int  # matches counted, at most COUNT_CAP
    more: bool  # there are more than COUNT_CAP matches
    page: int
    pages: int
    now: datetime
    criteria: SearchCriteria = field(default_factory=SearchCriteria)

    def is_overdue(self, dossier: Dossier) -> bool:
        return (
            dossier.due_at is not None
            and dossier.due_at < self.now
            and dossier.finished_at is None
            and dossier.status not in CLOSED_STATUSES
        )


def parse_criteria(args: Mapping[str, Any]) -> SearchCriteria:
    """Search criteria from query parameters; everything wrong is refused at once, by field, in Vietnamese."""
    errors: dict[str, str] = {}

    def raw(name: str) -> str:
        return str(args.get(name) or "").strip()

    def bounded(name: str) -> str:
        value = raw(name)
        if len(value) > MAX_TEXT[name]:
            errors[name] = f"Quá dài: tối đa {MAX_TEXT[name]} ký tự."
            return ""
        return value

    def number(name: str, low: int = 1, high: int = 10**9) -> int | None:
        value = raw(name)
        if not value:
            return None
        if not value.isdigit() or len(value) > 9 or not low <= int(value) <= high:
            errors[name] = "Giá trị không hợp lệ."
            return None
        return int(value)

    def day(name: str) -> date | None:
        value = raw(name)
        if not value:
            return None
        parsed = parse_day(value[:20])
        if parsed is None:
            errors[name] = "Ngày không hợp lệ (ví dụ 2026-12-24 hoặc 24/12/2026)."
        return parsed

    code = bounded("code").upper()
    if code and not _CODE_RE.match(code):
        errors["code"] = "Mã hồ sơ chỉ gồm chữ, số, dấu chấm và gạch ngang (ví dụ 000.00.01.H10-261130-0001)."
    name = fold(bounded("name"))
    if name and max(len(word) for word in name.split()) < MIN_NAME_WORD:
        errors["name"] = f"Nhập ít nhất một từ có từ {MIN_NAME_WORD} chữ cái trở lên của tên người nộp."
    elif len(name.split()) > 6:
        errors["name"] = "Nhập tối đa 6 từ của tên người nộp."
    id_number = bounded("id_number")
    if id_number and not id_number.isdigit():
        errors["id_number"] = "Số giấy tờ tùy thân chỉ gồm chữ số."
    phone = re.sub(r"[\s.\-]", "", bounded("phone"))
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    if phone and not phone.isdigit():
        errors["phone"] = "Số điện thoại chỉ gồm chữ số (ví dụ 0912345678)."
    sort = raw("sort") or "received"
    if sort not in SORTS:
        errors["sort"] = f"Chọn một trong: {', '.join(SORTS)}."
    overdue = raw("overdue").lower()
    criteria = SearchCriteria(
        code=code,
        name=name,
        id_number=id_number,
        phone=phone,
        procedure=number("procedure"),
        field=number("field"),
        status=number("status", 1, 10),
        unit=number("unit"),
        handler=number("handler"),
        received_from=day("received_from"),
        received_to=day("received_to"),
        due_from=day("due_from"),
        due_to=day("due_to"),
        overdue=overdue in _TRUE,
        sort=sort,
        page=number("page", 1, COUNT_CAP) or 1,
        per_page=number("per_page", 1, MAX_PAGE_SIZE) or PAGE_SIZE,
    )
    if "status" in errors:
        errors["status"] = "Trạng thái là một mã từ 1 đến 10."
    if "per_page" in errors:
        errors["per_page"] = f"Mỗi trang từ 1 đến {MAX_PAGE_SIZE} hồ sơ."
    for start, end in (("received_from", "received_to"), ("due_from", "due_to")):
        first, last = getattr(criteria, start), getattr(criteria, end)
        if first and last and last < first:
            errors[end] = "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."
        elif first and last and (last - first).days > MAX_PERIOD_DAYS:
            errors[end] = "Khoảng thời gian tối đa là 5 năm."
    if errors:
        raise InvalidInput(errors, "Điều kiện tìm kiếm chưa hợp lệ.")
    return criteria


def check_references(session: Session, criteria: SearchCriteria, units: set[int]) -> None:
    """Refuse a unit, procedure, field or person that does not exist (or a unit the actor may not see)."""
    errors: dict[str, str] = {}
    if criteria.unit is not None and criteria.unit not in units:
        errors["unit"] = "Không có đơn vị này trong phạm vi bạn được xem."
    if criteria.procedure is not None and session.get(Procedure, criteria.procedure) is None:
        errors["procedure"] = "Không có thủ tục này."
    if criteria.field is not None and session.get(Field, criteria.field) is None:
        errors["field"] = "Không có lĩnh vực này."
    if criteria.handler is not None and session.get(User, criteria.handler) is None:
        errors["handler"] = "Không có cán bộ này."
    if errors:
        raise InvalidInput(errors, "Điều kiện tìm kiếm chưa hợp lệ.")


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def conditions(criteria: SearchCriteria, units: set[int], now: datetime) -> list[Any]:
    """The WHERE clause of a search: what the actor may see, and each criterion given."""
    where: list[Any] = [visible_dossiers(units)]
    if criteria.code:
        where.append(Dossier.code.like(_like_escape(criteria.code) + "%", escape="\\"))
    for word in criteria.name.split():
        where.append(Dossier.applicant_name_folded.like(f"%{_like_escape(word)}%", escape="\\"))
    if criteria.id_number:
        where.append(Dossier.id_number == criteria.id_number)
    if criteria.phone:
        where.append(Dossier.phone == criteria.phone)
    if criteria.procedure is not None:
        where.append(Dossier.procedure_id == criteria.procedure)
    if criteria.field is not None:
        where.append(Dossier.procedure_id.in_(select(Procedure.id).where(Procedure.field_id == criteria.field)))
    if criteria.status is not None:
        where.append(Dossier.status == criteria.status)
    if criteria.unit is not None:
        where.append(visible_dossiers({criteria.unit}))
    if criteria.handler is not None:
        held = or_(
            and_(Task.assignee_id == criteria.handler, Task.closed_at.is_(None)),
            Task.completed_by_id == criteria.handler,
        )
        where.append(exists().where(Task.dossier_id == Dossier.id, held))
    if criteria.received_from:
        where.append(Dossier.received_at >= _start(criteria.received_from))
    if criteria.received_to:
        where.append(Dossier.received_at < _start(criteria.received_to + timedelta(days=1)))
    if criteria.due_from:
        where.append(Dossier.due_at >= _start(criteria.due_from))
    if criteria.due_to:
        where.append(Dossier.due_at < _start(criteria.due_to + timedelta(days=1)))
    if criteria.overdue:
        # Written as the partial index's own predicate (literal statuses) so PostgreSQL can use it.
        where += [text(OPEN_CONDITION), Dossier.due_at < now]
    return where


ORDER = {
    "received": (Dossier.received_at.desc(), Dossier.id.desc()),
    # NULLS LAST is a btree's own ascending order: the due_at indexes serve it and LIMIT stops early.
    "due": (Dossier.due_at.asc().nulls_last(), Dossier.id),
    "code": (Dossier.code,),
}
# A code prefix down to a month ("…-2412") matches at most a month of one counter's dossiers: fetching
# them by the code index and sorting them is cheap, whereas walking a sort index hoping to meet them
# reads everything received since (432 ms at p95 for an old day in a million rows). Sorting by an
# expression no index has keeps the planner on the code index.
NARROW_CODE = re.compile(r"-\d{4}")
ORDER_UNINDEXED = {
    "received": (func.coalesce(Dossier.received_at, Dossier.received_at).desc(), Dossier.id.desc()),
    "due": (func.coalesce(Dossier.due_at, datetime.max).asc(), Dossier.id),
    "code": (func.coalesce(Dossier.code, "").asc(),),
}


@contextmanager
def time_limited(session: Session) -> Iterator[None]:
    """Run a search's statements under PostgreSQL's statement_timeout; a timeout becomes ``SearchTooSlow``.

    The limit is left to the end of the transaction (one statement less per search): what a request
    or the bulk e-mail does after a search is short statements too.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    session.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
    try:
        yield
    except OperationalError as err:
        if getattr(err.orig, "pgcode", None) != "57014":  # query_canceled
            raise
        session.rollback()  # the transaction is aborted: nothing more can run in it
        raise SearchTooSlow() from err


def matching(session: Session, actor: User, criteria: SearchCriteria, now: datetime) -> Select[Any]:
    """A SELECT of the dossiers ``actor`` may see that match ``criteria`` (references checked)."""
    units = visible_unit_ids(session, actor)
    check_references(session, criteria, units)
    return select(Dossier).where(*conditions(criteria, units, now))


SORT_KEYS: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    # The column a sort needs, and how Python orders the rows read with it (as ORDER does in SQL).
    "received": (Dossier.received_at, lambda row: (-row[1].timestamp(), -row[0])),
    "due": (Dossier.due_at, lambda row: (row[1] is None, row[1] or datetime.min, row[0])),
    "code": (Dossier.code, lambda row: row[1]),
}


def search(session: Session, actor: User, criteria: SearchCriteria) -> SearchPage:
    """One page of the dossiers ``actor`` may see that match ``criteria``, with a capped count.

    The first ``COUNT_CAP + 1`` matches, in no order, are read with their sort key: they give the
    count, and when they are all the matches the page is cut from them in Python. Asking
    PostgreSQL for "the newest 50 of a day's codes, or of a name" instead lets it walk the
    received_at index backwards hoping to meet matches early, and an old day's codes are then met
    after a million rows. Only when matches are too many to count (so dense that they are met
    early) does the page come from the sorted query.
    """
    now = clock.now()
    query = matching(session, actor, criteria, now)
    key_column, key = SORT_KEYS[criteria.sort]
    with time_limited(session):
        rows = session.execute(query.with_only_columns(Dossier.id, key_column).limit(COUNT_CAP + 1)).all()
        more = len(rows) > COUNT_CAP
        total = min(len(rows), COUNT_CAP)
        pages = max(1, -(-total // criteria.per_page))
        page = min(criteria.page, pages)
        first = (page - 1) * criteria.per_page
        if more:
            order = (ORDER_UNINDEXED if NARROW_CODE.search(criteria.code) else ORDER)[criteria.sort]
            ordered = query.order_by(*order).limit(criteria.per_page).offset(first)
            dossiers = list(session.scalars(ordered.options(joinedload(Dossier.procedure))).unique())
        else:
            ids = [row[0] for row in sorted(rows, key=key)[first : first + criteria.per_page]]
            loaded = session.scalars(
                select(Dossier).where(Dossier.id.in_(ids)).options(joinedload(Dossier.procedure))
            ).unique()
            by_id = {d.id: d for d in loaded}
            dossiers = [by_id[i] for i in ids]
    return SearchPage(dossiers, total, more, page, pages, now, criteria)


@dataclass(frozen=True)
class SearchOptions:
    """What the search form offers to choose from."""

    procedures: list[tuple[int, str]]
    fields: list[tuple[int, str]]
    units: list[tuple[int, str]]
    handlers: list[tuple[int, str]]
    statuses: list[tuple[int, str]]
    sorts: dict[str, str]


def search_options(session: Session, actor: User) -> SearchOptions:
    units = visible_unit_ids(session, actor)
    unit_rows = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(sorted(units))).order_by(Unit.name)).all()
    people = session.execute(
        select(User.id, User.full_name).where(User.unit_id.in_(sorted(units)), User.active).order_by(User.full_name)
    ).all()
    procedures = session.execute(select(Procedure.id, Procedure.name).order_by(Procedure.name)).all()
    return SearchOptions(
        procedures=[(r.id, r.name) for r in procedures],
        fields=[(r.id, r.name) for r in session.execute(select(Field.id, Field.name).order_by(Field.name))],
        units=[(r.id, r.name) for r in unit_rows],
        handlers=[(r.id, r.full_name) for r in people],
        statuses=[(int(s), label) for s, label in STATUS_LABELS.items()],
        sorts=SORTS,
    )
