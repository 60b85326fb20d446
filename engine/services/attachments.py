"""Checking and storing uploaded scans: by content and size, never by the name they came with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine import clock
from engine.models import Attachment, Dossier, DossierComponent, User
from engine.storage import AttachmentStore, sniff

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_LABEL = "PDF, JPEG hoặc PNG"


@dataclass(frozen=True)
class UploadedFile:
    """An upload as received: ``component`` is the catalogue component id (or position) it belongs to."""

    filename: str
    data: bytes
    component: int | None = None


@dataclass(frozen=True)
class Scans:
    """The files handed in with one request, where they are kept, and how large each may be."""

    files: Sequence[UploadedFile] = ()
    store: AttachmentStore | None = None
    max_bytes: int = MAX_ATTACHMENT_BYTES

    def errors(self) -> dict[str, str]:
        errors = check_uploads(self.files, self.max_bytes)
        if self.files and self.store is None:
            errors["attachments"] = "Hệ thống chưa cấu hình nơi lưu tệp đính kèm."
        return errors

    def save(self, session: Session, dossier: Dossier, actor: User, rows: dict[int, DossierComponent]) -> None:
        """Keep the (already checked) files with the dossier, inside the caller's transaction."""
        if self.files and self.store is not None:
            store_uploads(session, self.store, dossier, actor, self.files, rows)


NO_SCANS = Scans()


def check_uploads(uploads: Sequence[UploadedFile], max_bytes: int = MAX_ATTACHMENT_BYTES) -> dict[str, str]:
    """Per-file errors keyed ``attachments.<index>``, in Vietnamese."""
    errors: dict[str, str] = {}
    for index, upload in enumerate(uploads):
        name = upload.filename or f"tệp thứ {index + 1}"
        if len(upload.data) == 0:
            errors[f"attachments.{index}"] = f"Tệp “{name}” rỗng."
        elif len(upload.data) > max_bytes:
            limit = max_bytes // (1024 * 1024)
            errors[f"attachments.{index}"] = f"Tệp “{name}” lớn hơn giới hạn {limit} MB."
        elif sniff(upload.data) is None:
            errors[f"attachments.{index}"] = (
                f"Tệp “{name}” không phải {ALLOWED_LABEL} (nội dung tệp không khớp định dạng)."
            )
    return errors


def store_uploads(
    session: Session,
    store: AttachmentStore,
    dossier: Dossier,
    actor: User,
    uploads: Sequence[UploadedFile],
    component_rows: dict[int, DossierComponent],
) -> list[Attachment]:
    """Write checked uploads to the store and record them on the dossier (inside the caller's transaction)."""
    rows = []
    for upload in uploads:
        content_type, extension = sniff(upload.data) or ("application/octet-stream", "")
        stored = store.save(session, upload.data, extension)
        component = component_rows.get(upload.component) if upload.component is not None else None
        row = Attachment(
            dossier_id=dossier.id,
            component_id=component.id if component is not None else None,
            filename=_safe_name(upload.filename, extension),
            content_type=content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_key=stored.key,
            uploaded_by_id=actor.id,
            uploaded_at=clock.now(),
        )
        session.add(row)
        rows.append(row)
    return rows


def _safe_name(filename: str, extension: str) -> str:
    """A display name without path parts or control characters."""
    base = (filename or "tep").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "tep"
    return base[:200] if base.lower().endswith(extension) or not extension else base[:200] + extension
