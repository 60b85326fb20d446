"""Small helpers the blueprints share."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Response, current_app, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from engine.forms import FormRegistry
from engine.models import User
from engine.services.attachments import Scans, UploadedFile
from engine.storage import AttachmentStore


def forms() -> FormRegistry:
    return current_app.extensions["motcua_forms"]


def actor() -> User:
    """The logged-in user as a domain object (login_required guarantees there is one)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def scans(files: MultiDict) -> Scans:
    """The files of a request (fields ``attachment-<component id>`` or ``attachment``), read up to the limit."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    uploads = []
    for field, storage in files.items(multi=True):
        if not storage or not storage.filename:
            continue
        component = field.removeprefix("attachment").removeprefix("-")
        uploads.append(
            UploadedFile(
                filename=storage.filename,
                data=storage.read(limit + 1),  # one byte past the limit is enough to refuse it
                component=int(component) if component.isdigit() else None,
            )
        )
    return Scans(uploads, attachment_store(), limit)


def attachment_store() -> AttachmentStore:
    return AttachmentStore(current_app.config["ATTACHMENTS_DIR"])


def lookup_url(code: str) -> str:
    """The public lookup address of a dossier, as printed in its QR code."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/tra-cuu/" + code


DOWNLOAD_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def file_response(content: bytes, filename: str, fmt: str, inline: bool = False) -> Response:
    """A generated document as a download (or shown in the browser, for a PDF the staff will print)."""
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        mimetype=DOWNLOAD_TYPES[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def safe_next(target: str | None, default: str | None = None) -> str:
    """Only same-site paths: an open redirect (after login, after an action) would help phishing."""
    if target and urlparse(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return default or url_for("inbox.index")
