"""A small set of dossiers for the statistics, counted by hand.

Period: 01/03/2026 to 31/03/2026. "Xây dựng" dossiers (procedure 1.009994, Sở Xây dựng),
"Hộ tịch" ones (1.001193, Sở Tư pháp). Times are local; received at 08:00 unless said.

    key  received     ch  status  due               finished          counts as
    A    20/02        1   4       10/04 17:00       -                 carried, open within
    O    25/02        1   10      03/03 17:00       03/03 08:00       carried, resolved on time
    B    02/03        2   10      09/03 17:00       05/03 08:00       new online, resolved before time
    C    03/03        1   9       10/03 08:00       10/03 16:59       new in person, on time (same date)
    D    04/03        3   10      10/03 17:00       11/03 08:00       new by post, late (next day)
    E    05/03        1   10      (none)            20/03 08:00       new in person, on time (no due date)
    F    06/03        2   10      20/03 17:00       02/04 08:00       new online, open at end (finished after), late
    G    09/03        1   4       25/03 17:00       -                 new in person, open late
    H    10/03        1   5       20/03 17:00       - paused 15/03    new in person, open within (paused before due)
    I    11/03        1   5       26/03 17:00       - paused 28/03    new in person, open late (paused after due)
    J    12/03        1   3       -                 -                 refused at intake: not counted
    K    13/03        1   5*      -                 -                 waiting for supplements at intake: not counted
    L    14/03        1   8       20/03 17:00       -                 stopped: not counted
    P    16/03        2   4       31/03 08:00       -                 new online, open within (due on the last day)
    M    10/01        1   10      20/01 17:00       15/02 08:00       finished before the period: not counted
    N    05/04        1   4       15/04 17:00       -                 received after the period: not counted
    Q    17/03        2   10      18/03 17:00       17/03 10:00       Hộ tịch: new online, before time
    R    27/02        1   6       02/03 17:00       -                 Hộ tịch: carried, open late

Biểu 06, Xây dựng: received 11 = carried 2 (A, O) + online 3 (B, F, P) + in person/post 6
(C, D, E, G, H, I); resolved 5 = before 1 (B) + on time 3 (O, C, E) + late 1 (D); in progress
6 = within 3 (A, H, P) + late 3 (F, G, I). Hộ tịch: 2 = 1 (R) + 1 (Q) + 0; resolved 1 = 1 + 0
+ 0; in progress 1 = 0 + 1 (R). Totals: 13 = 3 + 4 + 6; 6 = 2 + 3 + 1; 7 = 3 + 4.

Steps (task rows), completed unless said:
    chuyenvien    on B closed 04/03 due 05/03: on time; on C closed 09/03 due 08/03: late;
                  on C closed 10/03 no due: on time; on G closed 02/04: after the period;
                  on D recalled 05/03: not a completion
    chuyenvien_tp on Q closed 17/03 09:00 due 17/03 08:00: on time (same date)
So chuyenvien: 2 dossiers, 3 steps, 2 on time, 1 late; chuyenvien_tp: 1, 1, 1, 0.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Attachment, Dossier, Procedure, ProcessVersion, Task, Unit, User

BUILDING, CIVIL = "1.009994", "1.001193"

DOSSIERS = (
    # key, procedure, received, channel, status, due, finished, paused
    ("A", BUILDING, "2026-02-20 08:00", 1, 4, "2026-04-10 17:00", None, None),
    ("O", BUILDING, "2026-02-25 08:00", 1, 10, "2026-03-03 17:00", "2026-03-03 08:00", None),
    ("B", BUILDING, "2026-03-02 08:00", 2, 10, "2026-03-09 17:00", "2026-03-05 08:00", None),
    ("C", BUILDING, "2026-03-03 08:00", 1, 9, "2026-03-10 08:00", "2026-03-10 16:59", None),
    ("D", BUILDING, "2026-03-04 08:00", 3, 10, "2026-03-10 17:00", "2026-03-11 08:00", None),
    ("E", BUILDING, "2026-03-05 08:00", 1, 10, None, "2026-03-20 08:00", None),
    ("F", BUILDING, "2026-03-06 08:00", 2, 10, "2026-03-20 17:00", "2026-04-02 08:00", None),
    ("G", BUILDING, "2026-03-09 08:00", 1, 4, "2026-03-25 17:00", None, None),
    ("H", BUILDING, "2026-03-10 08:00", 1, 5, "2026-03-20 17:00", None, "2026-03-15 10:00"),
    ("I", BUILDING, "2026-03-11 08:00", 1, 5, "2026-03-26 17:00", None, "2026-03-28 10:00"),
    ("J", BUILDING, "2026-03-12 08:00", 1, 3, None, None, None),
    ("K", BUILDING, "2026-03-13 08:00", 1, 5, None, None, "2026-03-13 08:00"),
    ("L", BUILDING, "2026-03-14 08:00", 1, 8, "2026-03-20 17:00", None, None),
    ("P", BUILDING, "2026-03-16 08:00", 2, 4, "2026-03-31 08:00", None, None),
    ("M", BUILDING, "2026-01-10 08:00", 1, 10, "2026-01-20 17:00", "2026-02-15 08:00", None),
    ("N", BUILDING, "2026-04-05 08:00", 1, 4, "2026-04-15 17:00", None, None),
    ("Q", CIVIL, "2026-03-17 08:00", 2, 10, "2026-03-18 17:00", "2026-03-17 10:00", None),
    ("R", CIVIL, "2026-02-27 08:00", 1, 6, "2026-03-02 17:00", None, None),
)
NOT_ACCEPTED = {"J", "K"}  # no workflow started
PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


def _at(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%d %H:%M") if text else None


def load_report_fixture(session: Session) -> dict[str, Dossier]:
    """Insert the dossiers and steps above; returns the dossiers by key. One procedure is made
    offline so that the share of procedures offered online is not 100 %."""
    units = {u.code: u for u in session.scalars(select(Unit))}
    counter = units["000.00.01.H10"]
    procedures = {p.code: p for p in session.scalars(select(Procedure))}
    procedures["LOCAL.TAMTRU"].online_level = "none"
    users = {u.username: u for u in session.scalars(select(User))}
    dossiers: dict[str, Dossier] = {}
    for key, code, received, channel, status, due, finished, paused in DOSSIERS:
        procedure = procedures[code]
        version = session.scalars(
            select(ProcessVersion.id).where(ProcessVersion.process_key == procedure.process_key)
        ).first()
        finished_at = _at(finished)
        dossier = Dossier(
            code=f"{counter.code}-2603{ord(key):02d}-{ord(key):04d}",
            procedure_id=procedure.id,
            process_version_id=None if key in NOT_ACCEPTED else version,
            receiving_unit_id=counter.id,
            department_id=procedure.department_id,
            agency_id=procedure.agency_id,
            channel=channel,
            status=status,
            applicant_name=f"Người nộp {key}",
            applicant_name_folded=f"nguoi nop {key.lower()}",
            id_number="001088012345",
            phone="0912345678",
            address=f"Số {ord(key) - 64} Hùng Vương",
            received_at=_at(received),
            due_at=_at(due),
            finished_at=finished_at,
            returned_at=finished_at if status == 10 else None,
            paused_at=_at(paused),
            received_by_id=users["motcua"].id,
            refusal_reason="Hồ sơ không thuộc thẩm quyền" if status == 3 else "",
            stop_reason="Công dân xin dừng" if status == 8 else "",
        )
        session.add(dossier)
        dossiers[key] = dossier
    session.flush()
    steps = (
        ("B", "chuyenvien", "2026-03-03 08:00", "2026-03-04 09:00", "2026-03-05 17:00", "completed"),
        ("C", "chuyenvien", "2026-03-04 08:00", "2026-03-09 09:00", "2026-03-08 17:00", "completed"),
        ("C", "chuyenvien", "2026-03-09 09:00", "2026-03-10 09:00", None, "completed"),
        ("G", "chuyenvien", "2026-03-10 08:00", "2026-04-02 09:00", "2026-03-20 17:00", "completed"),
        ("D", "chuyenvien", "2026-03-04 09:00", "2026-03-05 09:00", "2026-03-06 17:00", "recalled"),
        ("Q", "chuyenvien_tp", "2026-03-17 08:30", "2026-03-17 09:00", "2026-03-17 08:00", "completed"),
    )
    for index, (key, username, created, closed, due, outcome) in enumerate(steps):
        user = users[username]
        session.add(
            Task(
                id=f"00000000-0000-0000-0000-{index:012d}",
                dossier_id=dossiers[key].id,
                step="task_examine",
                title="Thẩm định hồ sơ",
                form="examine",
                role="specialist",
                unit_id=user.unit_id,
                assignee_id=user.id,
                created_at=_at(created),
                due_at=_at(due),
                closed_at=_at(closed),
                completed_by_id=user.id if outcome == "completed" else None,
                outcome=outcome,
            )
        )
    session.add(
        Attachment(
            dossier_id=dossiers["B"].id,
            filename="don.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            storage_key="report-fixture-b",
            uploaded_at=_at("2026-03-02 08:05"),
        )
    )
    session.flush()
    return dossiers
