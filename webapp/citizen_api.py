"""The citizen API under /api/v1/citizen: the portal's rules, authenticated by a citizen bearer token.

Citizen tokens are signed with their own salt and carry the account's token generation, so they
are never accepted where a staff token is expected (and the reverse), and a password change ends
them. ``current_api_citizen()`` gives the caller's account to any endpoint that needs one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request

from engine.models import CitizenAccount
from engine.services import citizen_dossiers, citizen_mail, citizens, satisfaction, transaction
from engine.services.errors import AuthenticationFailed, DomainError
from webapp.api import dossier_summary_json, error_response, iso_time, json_body
from webapp.extensions import db, limiter
from webapp.util import file_response

bp = Blueprint("citizen_api", __name__, url_prefix="/api/v1/citizen")


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return error_response(error)


def current_api_citizen() -> CitizenAccount:
    """The citizen calling the API (Authorization: Bearer <token from POST /api/v1/citizen/token>).

    Raises AuthenticationFailed (401) without a valid token; read once per request.
    """
    if "api_citizen" not in g:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("Thiếu mã truy cập (Authorization: Bearer <token>).")
        g.api_citizen = citizens.account_for_api_token(
            db.session, token.strip(), current_app.config["SECRET_KEY"], current_app.config["API_TOKEN_MAX_AGE"]
        )
    return g.api_citizen


def citizen_token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_api_citizen()
        return view(*args, **kwargs)

    return wrapper


def _account(account: CitizenAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "email": account.email,
        "full_name": account.full_name,
        "phone": account.phone,
        "id_number": account.id_number,
        "address": account.address,
        "verified": account.email_verified_at is not None,
    }


@bp.post("/register")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def register():
    body = json_body()
    form = citizens.Registration(
        email=str(body.get("email") or ""),
        password=str(body.get("password") or ""),
        full_name=str(body.get("full_name") or ""),
        phone=str(body.get("phone") or ""),
        id_number=str(body.get("id_number") or ""),
        address=str(body.get("address") or ""),
    )
    with transaction(db.session):
        account = citizens.register(db.session, form)
        citizen_mail.send_verification(
            db.session, account, current_app.config["SECRET_KEY"], current_app.config["PUBLIC_BASE_URL"]
        )
    return jsonify(_account(account)), 201


@bp.post("/token")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def token():
    body = json_body()
    account = citizens.authenticate(db.session, str(body.get("email") or ""), str(body.get("password") or ""))
    return jsonify(
        {
            "token": citizens.api_token(account, current_app.config["SECRET_KEY"]),
            "expires_in": current_app.config["API_TOKEN_MAX_AGE"],
            "account": _account(account),
        }
    ), 201


@bp.get("/dossiers")
@citizen_token_required
def dossiers():
    return jsonify([dossier_summary_json(d) for d in citizen_dossiers.my_dossiers(db.session, current_api_citizen())])


@bp.get("/dossiers/<code>")
@citizen_token_required
def dossier(code: str):
    found = citizen_dossiers.my_dossier(db.session, current_api_citizen(), code)
    details = citizen_dossiers.details(db.session, found)
    rating = satisfaction.rating_of(db.session, found.id)
    return jsonify(
        {
            **dossier_summary_json(found),
            "returned_at": iso_time(details.public.returned_at),
            "applicant": {
                "full_name": details.applicant_name,
                "organisation_name": details.organisation_name,
                "address": details.address,
                "phone": details.phone,
            },
            "components": [
                {
                    "name": c.name,
                    "originals": c.originals,
                    "certified_copies": c.certified_copies,
                    "photocopies": c.photocopies,
                    "submitted": c.submitted,
                }
                for c in details.components
            ],
            "steps": [{"title": s.title, "unit": s.unit, "at": iso_time(s.at)} for s in details.public.steps],
            "result": (
                {
                    "number": details.result.number,
                    "verification_code": details.result.verification_code,
                    "downloadable": details.result_online,
                }
                if details.result
                else None
            ),
            "rated": rating is not None,
        }
    )


@bp.get("/dossiers/<code>/result")
@citizen_token_required
def result(code: str):
    found = citizen_dossiers.online_result(db.session, current_api_citizen(), code)
    response = file_response(found.content, found.filename, "docx")
    response.headers["X-Verification-Code"] = found.verification_code
    return response


@bp.post("/dossiers/<code>/rating")
@citizen_token_required
def rate(code: str):
    body = json_body()
    with transaction(db.session):
        rating = satisfaction.rate_as_citizen(db.session, current_api_citizen(), code, body)
    return jsonify(
        {"dossier_code": code.strip().upper(), "rated_at": iso_time(rating.rated_at), "overall": rating.overall}
    ), 201
