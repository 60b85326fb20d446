"""Operator commands: flask db …, flask demo …, flask procedures …, flask users …"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from engine import migrate
from engine.demo import load_demo, load_demo_dossiers
from engine.models import Unit, User, UserRole
from engine.roles import Role
from engine.services import transaction
from engine.services.auth import hash_password
from engine.services.calendars import seed_calendar
from engine.services.procedures import InvalidProcess, check_process, deploy_process
from webapp.extensions import db
from webapp.util import forms

db_cli = AppGroup("db", help="Cơ sở dữ liệu.")
demo_cli = AppGroup("demo", help="Dữ liệu mẫu.")
procedures_cli = AppGroup("procedures", help="Quy trình BPMN.")
users_cli = AppGroup("users", help="Người dùng.")
calendar_cli = AppGroup("calendar", help="Lịch làm việc.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations up to the newest."""
    migrate.upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"])
    click.echo("Đã cập nhật cơ sở dữ liệu.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo agency, users (password: demo) and procedures."""
    with transaction(db.session):
        load_demo(db.session, Path(current_app.config["PROCESSES_DIR"]), forms())
        load_demo_dossiers(db.session, forms())
    click.echo("Đã nạp dữ liệu mẫu.")


@calendar_cli.command("import")
@click.argument("years", nargs=-1, type=int, required=True)
def calendar_import(years: tuple[int, ...]) -> None:
    """Import Vietnam's holidays and swap days for YEARS from the holidays package."""
    with transaction(db.session):
        added = seed_calendar(db.session, years)
    click.echo(f"Đã thêm {added} ngày.")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise click.ClickException(f"Không đọc được tệp {path}: {err}") from err


@procedures_cli.command("validate")
@click.argument("path")
def procedures_validate(path: str) -> None:
    """Check a BPMN file and list its problems."""
    problems = check_process(_read(path), forms())
    if problems:
        for problem in problems:
            click.echo(f"- {problem}", err=True)
        sys.exit(1)
    click.echo("Sơ đồ hợp lệ.")


@procedures_cli.command("deploy")
@click.argument("path")
def procedures_deploy(path: str) -> None:
    """Validate a BPMN file and deploy it as a new version of its process."""
    try:
        with transaction(db.session):
            version = deploy_process(db.session, None, _read(path), forms())
            click.echo(f"Đã triển khai {version.process_key} phiên bản {version.number}.")
    except InvalidProcess as err:
        for problem in err.problems:
            click.echo(f"- {problem}", err=True)
        sys.exit(1)


@users_cli.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Họ và tên.")
@click.option("--unit", "unit_code", required=True, help="Mã định danh đơn vị.")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]), required=True)
@click.password_option()
def users_create(username: str, full_name: str, unit_code: str, roles: tuple[str, ...], password: str) -> None:
    """Create a staff account."""
    with transaction(db.session):
        unit = db.session.scalars(select(Unit).where(Unit.code == unit_code)).first()
        if unit is None:
            raise click.ClickException(f"Không có đơn vị mã {unit_code}.")
        if db.session.scalars(select(User).where(User.username == username)).first():
            raise click.ClickException(f"Tên đăng nhập {username} đã tồn tại.")
        db.session.add(
            User(
                username=username,
                full_name=full_name,
                password_hash=hash_password(password),
                unit_id=unit.id,
                role_rows=[UserRole(role=r) for r in roles],
            )
        )
    click.echo(f"Đã tạo tài khoản {username}.")


def register_cli(app: Flask) -> None:
    for group in (db_cli, demo_cli, procedures_cli, users_cli, calendar_cli):
        app.cli.add_command(group)
