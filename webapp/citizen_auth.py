"""The citizen's account pages: register, verify the e-mail, log in and out, reset the password, profile.

URLs (the portal's, linked from other pages): /cong-dan/dang-ky, /cong-dan/xac-thuc/<token>,
/cong-dan/dang-nhap, /cong-dan/dang-xuat, /cong-dan/quen-mat-khau, /cong-dan/dat-lai-mat-khau/<token>,
/cong-dan/tai-khoan.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from engine.services import citizen_mail, citizens, transaction
from engine.services.errors import AuthenticationFailed, InvalidInput
from webapp.citizen_session import citizen_required, current_citizen, login_citizen, logout_citizen
from webapp.extensions import db, limiter
from webapp.util import safe_next

bp = Blueprint("citizen_auth", __name__, url_prefix="/cong-dan")

PROFILE_FIELDS = ("full_name", "phone", "id_number", "address")
SAME_ANSWER = (
    "Nếu địa chỉ email này có tài khoản, chúng tôi đã gửi thư kèm liên kết. "
    "Vui lòng kiểm tra hộp thư (kể cả thư rác) trong vài phút tới."
)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"]


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _portal_home() -> str:
    return url_for("citizen.dossiers")


@bp.route("/dang-ky", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register():
    values = {name: request.form.get(name, "") for name in ("email", *PROFILE_FIELDS)}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = citizens.Registration(
            password=request.form.get("password", ""),
            password_confirm=request.form.get("password_confirm", ""),
            **values,
        )
        try:
            with transaction(db.session):
                account = citizens.register(db.session, form)
                citizen_mail.send_verification(db.session, account, _secret(), _base_url())
        except InvalidInput as err:
            errors = err.errors
        else:
            return render_template("citizen/check_mail.html", email=account.email, registered=True)
    status = 422 if errors else 200
    return render_template("citizen/register.html", values=values, errors=errors), status


@bp.route("/xac-thuc/<token>")
def verify(token: str):
    try:
        with transaction(db.session):
            account = citizens.verify_email(db.session, token, _secret())
    except AuthenticationFailed as err:
        return render_template("citizen/link_problem.html", message=err.message, kind="verify", email=""), 400
    flash("Email đã được xác thực. Mời Ông/Bà đăng nhập.", "success")
    return redirect(url_for("citizen_auth.login", email=account.email))


@bp.route("/gui-lai-xac-thuc", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def resend_verification():
    email = request.form.get("email", request.args.get("email", ""))
    if request.method == "POST":
        with transaction(db.session):
            citizen_mail.resend_verification(db.session, email, _secret(), _base_url())
        return render_template("citizen/check_mail.html", email=citizens.normalise_email(email), registered=False)
    return render_template("citizen/link_problem.html", message="", kind="verify", email=email)


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    error = None
    unverified = False
    email = request.form.get("email", request.args.get("email", ""))
    if request.method == "POST":
        try:
            account = citizens.authenticate(db.session, email, request.form.get("password", ""))
        except AuthenticationFailed as err:
            error = err.message
            unverified = "chưa được xác thực" in error
        else:
            login_citizen(account)
            flash(f"Xin chào {account.full_name}.", "success")
            return redirect(safe_next(request.args.get("next"), _portal_home()))
    elif current_citizen() is not None:
        return redirect(safe_next(request.args.get("next"), _portal_home()))
    return render_template("citizen/login.html", error=error, email=email, unverified=unverified), (
        401 if error else 200
    )


@bp.route("/dang-xuat", methods=["POST"])
def logout():
    logout_citizen()
    flash("Ông/Bà đã đăng xuất.", "success")
    return redirect(url_for("citizen_auth.login"))


@bp.route("/quen-mat-khau", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    email = request.form.get("email", "")
    if request.method == "POST":
        with transaction(db.session):
            citizen_mail.request_reset(db.session, email, _secret(), _base_url())
        return render_template("citizen/forgot.html", email="", sent=SAME_ANSWER)
    return render_template("citizen/forgot.html", email=email, sent=None)


@bp.route("/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    errors: dict[str, str] = {}
    if request.method == "GET":
        try:
            citizens.reset_account(db.session, token, _secret())
        except AuthenticationFailed as err:  # say so before the citizen types a new password twice
            return render_template("citizen/link_problem.html", message=err.message, kind="reset", email=""), 400
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("password_confirm", ""):
            errors = {"password_confirm": "Mật khẩu nhập lại không khớp."}
        else:
            try:
                with transaction(db.session):
                    account = citizens.reset_password(db.session, token, password, _secret())
            except AuthenticationFailed as err:
                return render_template("citizen/link_problem.html", message=err.message, kind="reset", email=""), 400
            except InvalidInput as err:
                errors = err.errors
            else:
                logout_citizen()
                flash("Đã đặt mật khẩu mới. Mời Ông/Bà đăng nhập.", "success")
                return redirect(url_for("citizen_auth.login", email=account.email))
    return render_template("citizen/reset.html", token=token, errors=errors), (422 if errors else 200)


@bp.route("/tai-khoan", methods=["GET", "POST"])
@citizen_required
def profile():
    account = current_citizen()
    assert account is not None
    values = {name: getattr(account, name) for name in PROFILE_FIELDS}
    errors: dict[str, str] = {}
    password_errors: dict[str, str] = {}
    if request.method == "POST" and request.form.get("action") == "password":
        try:
            with transaction(db.session):
                citizens.change_password(
                    db.session,
                    account,
                    request.form.get("current_password", ""),
                    request.form.get("new_password", ""),
                    request.form.get("new_password_confirm", ""),
                )
        except InvalidInput as err:
            password_errors = err.errors
        else:
            login_citizen(account)  # this session follows the new generation; the others end
            flash("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất.", "success")
            return redirect(url_for("citizen_auth.profile"))
    elif request.method == "POST":
        values = {name: request.form.get(name, "") for name in PROFILE_FIELDS}
        try:
            with transaction(db.session):
                citizens.update_profile(db.session, account, **values)
        except InvalidInput as err:
            errors = err.errors
        else:
            flash("Đã lưu thông tin tài khoản.", "success")
            return redirect(url_for("citizen_auth.profile"))
    status = 422 if errors or password_errors else 200
    return render_template(
        "citizen/profile.html", account=account, values=values, errors=errors, password_errors=password_errors
    ), status
