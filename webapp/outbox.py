"""E-mail and SMS from the web app: sent right after the request that queued it commits, retried by a job, or by hand.

- After a request whose transaction committed e-mails (``engine.services.outbox`` notes their ids
  on the session), those e-mails are sent once the response has left (WSGI ``close``): the person
  never waits for the mail server; a failure is recorded on the message, never on the request.
- Staff task alerts (``engine.services.task_alerts``) are not written by the request that opens or
  assigns the task: the job below composes them from the marked task rows, then sends them.
- With ``SCHEDULER_ENABLED`` (``MOTCUA_SCHEDULER=1``) a background job in each web process queues
  the staff alerts and sends what is due every minute. Several processes may run it: on PostgreSQL
  an alert or a message is claimed with a row lock, so none is sent twice. Set it only for the web
  server, not for CLI commands.
- ``flask outbox send`` queues the staff alerts, sends what is due and prints the counts (for cron,
  or to retry by hand); ``flask outbox status`` only counts.

No e-mail is sent while ``MAIL_SERVER`` is empty (the default), and no SMS while ``SMS_PROVIDER``
is empty; their messages wait in the outbox.
"""

from __future__ import annotations

import atexit
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine import clock
from engine.mail import Mailer, SmtpMailer
from engine.models import SmsLog
from engine.services import notifications, task_alerts
from engine.services.outbox import DeliveryReport, counts, deliver_due, has_committed, take_committed
from engine.sms import gateway_from_settings
from webapp.extensions import db

outbox_cli = AppGroup("outbox", help="Thư điện tử chờ gửi.")

_SESSIONS = "motcua_outbox_sessions"
_SCHEDULER = "motcua_scheduler"
_BATCH = 50
_MAX_BATCHES = 20  # one run sends at most 1,000 messages; the next run takes the rest
_MAX_ALERT_BATCHES = 20  # one run composes the alerts of at most 10,000 tasks (task_alerts.BATCH each)


def init_app(app: Flask) -> None:
    notifications.configure(str(app.config["PUBLIC_BASE_URL"]))
    with app.app_context():
        # Delivery uses its own sessions, never the request's: each message commits on its own.
        app.extensions[_SESSIONS] = sessionmaker(bind=db.engine, expire_on_commit=False)
    gateway_from_settings(app.config, app.extensions[_SESSIONS])  # a misspelt SMS_PROVIDER fails at start
    app.after_request(_deliver_committed)
    app.cli.add_command(outbox_cli)
    if app.config.get("SCHEDULER_ENABLED"):
        _start_scheduler(app)


def mailer(app: Flask) -> SmtpMailer | None:
    """The configured SMTP server, or None when MAIL_SERVER is empty (sending is off)."""
    config = app.config
    if not config.get("MAIL_SERVER"):
        return None
    return SmtpMailer(
        host=config["MAIL_SERVER"],
        port=int(config["MAIL_PORT"]),
        sender=config["MAIL_SENDER"],
        username=config.get("MAIL_USERNAME") or None,
        password=config.get("MAIL_PASSWORD") or None,
        starttls=bool(config.get("MAIL_STARTTLS")),
        timeout=float(config.get("MAIL_TIMEOUT", 10)),
    )


def senders(app: Flask) -> dict[str, Mailer]:
    """What sends each channel: the SMTP server (``MAIL_SERVER``) and the SMS gateway (``SMS_PROVIDER``)."""
    found: dict[str, Mailer] = {}
    smtp = mailer(app)
    if smtp is not None:
        found["email"] = smtp
    gateway = gateway_from_settings(app.config, app.extensions[_SESSIONS])
    if gateway is not None:
        found["sms"] = gateway
    return found


def send_due(app: Flask, now: datetime | None = None) -> DeliveryReport | None:
    """Queue the staff task alerts, then send everything due at ``now`` in batches.

    None when sending is off for every channel (the alerts then wait in the outbox).
    """
    now = now or clock.now()
    queue_task_alerts(app, now)
    channels = senders(app)
    if not channels:
        return None
    total = DeliveryReport()
    for _ in range(_MAX_BATCHES):
        report = deliver_due(app.extensions[_SESSIONS], channels, now, limit=_BATCH)
        total.sent += report.sent
        total.failed += report.failed
        total.given_up += report.given_up
        total.interrupted = report.interrupted
        if report.interrupted or report.attempted < _BATCH:
            break
    return total


def queue_task_alerts(app: Flask, now: datetime | None = None) -> int:
    """Turn the tasks marked for an alert into outbox e-mails, in batches; the number of e-mails queued."""
    queued = 0
    for _ in range(_MAX_ALERT_BATCHES):
        with app.extensions[_SESSIONS]() as session:
            batch = task_alerts.queue_pending(session, now or clock.now(), limit=task_alerts.BATCH)
        queued += batch.emails
        if batch.tasks < task_alerts.BATCH:
            break
    return queued


def _deliver_committed(response):
    """After the response is sent, send the e-mails this request's committed transaction queued; the
    outbox keeps whatever fails.

    E-mail only: it may carry the link a person waits for (verification, reset), and nobody waits for
    the mail server once the response has gone. An SMS only tells of a change, and a gateway call per
    request would cost every status change its round trip: SMS go with the outbox job (every minute).
    """
    if not db.session.registry.has():
        return response
    if not has_committed(db.session):
        return response
    smtp = mailer(current_app)
    channels: dict[str, Mailer] = {"email": smtp} if smtp is not None else {}
    ids = take_committed(db.session, channels)
    if ids:
        app = current_app._get_current_object()
        response.call_on_close(lambda: _deliver(app, channels, ids))
    return response


def _deliver(app: Flask, channels: dict[str, Mailer], ids: list[int]) -> None:
    try:
        deliver_due(app.extensions[_SESSIONS], channels, clock.now(), limit=len(ids), ids=ids)
    except Exception:  # the request's own work is committed and answered: log, the outbox keeps the mail
        app.logger.exception("sending the e-mails of a request failed; they stay in the outbox")


def _start_scheduler(app: Flask) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone=clock.VN_TZ)
    scheduler.add_job(_scheduled_run, "interval", minutes=1, args=(app,), id="outbox", max_instances=1, coalesce=True)
    from webapp.digests import schedule as schedule_digests

    schedule_digests(scheduler, app)
    scheduler.start()
    app.extensions[_SCHEDULER] = scheduler
    atexit.register(_stop_scheduler, scheduler)


def _stop_scheduler(scheduler) -> None:
    if scheduler.running:
        scheduler.shutdown(wait=False)


def _scheduled_run(app: Flask) -> None:
    with app.app_context():
        try:
            report = send_due(app)
        except Exception:
            app.logger.exception("the outbox run failed")
            return
        if report is not None and report.attempted:
            app.logger.info("outbox: %s sent, %s failed", report.sent, report.failed)


_NOW = click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


@outbox_cli.command("send")
@click.option("--now", "now", type=_NOW, default=None, help="Coi thời điểm này (giờ Việt Nam) là hiện tại.")
def outbox_send(now: datetime | None) -> None:
    """Send the e-mails and SMS that are due, and print what happened."""
    report = send_due(current_app, now)
    if report is not None and (report.attempted or mailer(current_app) is not None):
        click.echo(f"Đã gửi {report.sent} thư; {report.failed} thư gửi lỗi; {report.given_up} thư đã ngừng thử.")
        _echo_counts()
    if mailer(current_app) is None:
        raise click.ClickException("Chưa cấu hình máy chủ thư (MOTCUA_MAIL_SERVER) nên không gửi thư nào.")
    if report.interrupted:
        click.echo("Không dùng được máy chủ thư; các thư còn lại sẽ được gửi lần sau.", err=True)
        raise SystemExit(1)


@outbox_cli.command("sms")
@click.option("--limit", default=20, show_default=True, help="Số tin gần nhất.")
def outbox_sms(limit: int) -> None:
    """Print the latest SMS the test gateway recorded (SMS_PROVIDER=test)."""
    with current_app.extensions[_SESSIONS]() as session:
        rows = session.scalars(select(SmsLog).order_by(SmsLog.id.desc()).limit(limit)).all()
    for row in reversed(rows):
        click.echo(f"{row.sent_at:%d/%m/%Y %H:%M} {row.recipient}: {row.body}")
    if not rows:
        click.echo("Chưa có tin nhắn nào.")


@outbox_cli.command("status")
def outbox_status() -> None:
    """Count the e-mails waiting and those given up."""
    _echo_counts()


def _echo_counts() -> None:
    with current_app.extensions[_SESSIONS]() as session:
        result = counts(session)
    click.echo(f"Còn {result.pending} thư chờ gửi; {result.failed} thư gửi không thành công sau nhiều lần thử.")
