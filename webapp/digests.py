"""The daily warning e-mails from the web app: the scheduled job and ``flask warnings send``.

The job runs at ``DIGEST_TIME`` (Vietnam time, default 07:00) in every process whose
scheduler is on (``MOTCUA_SCHEDULER=1``); ``engine.services.digests`` lets one of them
do the work and never queues a person's digest twice on a day. The messages then
leave through the outbox, sent right away when a mail server is configured.
"""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from engine.services.digests import DigestReport, send_digests
from webapp.outbox import send_due

warnings_cli = AppGroup("warnings", help="Thư cảnh báo hằng ngày.")

_SESSIONS = "motcua_outbox_sessions"  # the session factory webapp.outbox keeps for its own jobs


def init_app(app: Flask) -> None:
    app.cli.add_command(warnings_cli)


def digest_time(app: Flask) -> tuple[int, int]:
    """The configured hour and minute; a malformed setting is refused at start, not at 7 in the morning."""
    value = str(app.config.get("DIGEST_TIME") or "07:00")
    try:
        moment = datetime.strptime(value, "%H:%M")
    except ValueError as err:
        raise RuntimeError(f"MOTCUA_DIGEST_TIME must be HH:MM, not {value!r}") from err
    return moment.hour, moment.minute


def schedule(scheduler, app: Flask) -> None:
    hour, minute = digest_time(app)
    scheduler.add_job(
        _scheduled_run,
        "cron",
        hour=hour,
        minute=minute,
        args=(app,),
        id="warning_digests",
        coalesce=True,
        misfire_grace_time=3600,
    )


def run(app: Flask, now: datetime | None = None) -> DigestReport:
    """Queue today's digests (unless another process does), then send what the outbox holds."""
    report = send_digests(app.extensions[_SESSIONS], now)
    if report.ran and (report.due_soon or report.overdue):
        send_due(app, now)
    return report


def _scheduled_run(app: Flask) -> None:
    with app.app_context():
        try:
            report = run(app)
        except Exception:
            app.logger.exception("the warning digests failed")
            return
        if report.ran:
            app.logger.info("warning digests: %s due-soon, %s overdue queued", report.due_soon, report.overdue)


_NOW = click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


@warnings_cli.command("send")
@click.option("--now", "now", type=_NOW, default=None, help="Coi thời điểm này (giờ Việt Nam) là hiện tại.")
def warnings_send(now: datetime | None) -> None:
    """Queue today's warning e-mails now (each person gets them once a day) and send them."""
    report = run(current_app, now)
    if not report.ran:
        raise click.ClickException("Một tiến trình khác đang gửi thư cảnh báo; hãy thử lại sau.")
    click.echo(
        f"Đã xếp {report.due_soon} thư nhắc việc sắp đến hạn và {report.overdue} thư tổng hợp hồ sơ quá hạn; "
        f"{report.already_sent} người đã nhận thư hôm nay."
    )
