"""Logging in and out of the staff UI."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from engine.models import User
from engine.services.auth import authenticate
from engine.services.errors import AuthenticationFailed
from webapp.extensions import db, limiter, login_manager
from webapp.util import safe_next

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


# Flask-Login reads these on the user object.
User.is_authenticated = property(lambda self: True)  # type: ignore[attr-defined]
User.is_active = property(lambda self: self.active)  # type: ignore[attr-defined]
User.is_anonymous = property(lambda self: False)  # type: ignore[attr-defined]
User.get_id = lambda self: str(self.id)  # type: ignore[attr-defined]


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    error = None
    username = request.form.get("username", "")
    if request.method == "POST":
        try:
            user = authenticate(db.session, username, request.form.get("password", ""))
        except AuthenticationFailed as err:
            error = err.message
        else:
            login_user(user)
            flash(f"Xin chào {user.full_name}.", "success")
            return redirect(safe_next(request.args.get("next")))
    return render_template("login.html", error=error, username=username), (401 if error else 200)


@bp.route("/dang-xuat", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("Bạn đã đăng xuất.", "success")
    return redirect(url_for("auth.login"))
