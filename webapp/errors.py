"""Mapping domain errors onto pages (UI) and onto JSON (API, see api.py)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from engine.services.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    MalformedRequest,
    NotFound,
)

STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (MalformedRequest, 400),
    (AuthenticationFailed, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
]


def http_status(error: DomainError) -> int:
    return next((code for cls, code in STATUS_BY_ERROR if isinstance(error, cls)), 400)


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if request.blueprint == "api":
            from webapp.api import error_response

            return error_response(error)
        return render_template("error.html", message=error.message), http_status(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang và thử lại."
        return render_template("error.html", message=message), 400

    @app.errorhandler(404)
    def not_found(error: Exception):
        if request.path.startswith("/api/"):
            from flask import jsonify

            return jsonify({"error": "Không tìm thấy địa chỉ này."}), 404
        return render_template("error.html", message="Không tìm thấy trang bạn yêu cầu."), 404

    @app.errorhandler(429)
    def too_many(error: Exception):
        message = "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau ít phút."
        if request.path.startswith("/api/"):
            from flask import jsonify

            return jsonify({"error": message}), 429
        return render_template("error.html", message=message), 429

    @app.errorhandler(413)
    def too_large(error: Exception):
        return render_template("error.html", message="Dữ liệu gửi lên quá lớn."), 413
