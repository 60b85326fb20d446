"""Jinja filters: Vietnamese dates and labels."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from engine.documents.notices import timeliness
from engine.roles import ROLES, Role
from engine.status import Channel, DossierStatus


def register(app: Flask) -> None:
    @app.template_filter("dt")
    def format_datetime(value: datetime | None) -> str:
        return value.strftime("%H:%M %d/%m/%Y") if value else "—"

    @app.template_filter("status_label")
    def status_label(code: int) -> str:
        return DossierStatus(code).label

    @app.template_filter("channel_label")
    def channel_label(code: int) -> str:
        return Channel(code).label

    @app.template_filter("role_label")
    def role_label(role: str) -> str:
        return ROLES[Role(role)].label

    @app.template_filter("timeliness")
    def step_timeliness(event) -> str:
        """Whether the step a history line closed was done before, on or after its due date."""
        return timeliness(event.at, event.step_due_at) if event.step_due_at else ""

    @app.context_processor
    def inject_now() -> dict[str, object]:
        from engine import clock

        return {"now": clock.now()}
