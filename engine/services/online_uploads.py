"""Files a citizen uploads online: checked by content, size and the name they claim, before anything is kept."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from sqlalchemy.orm import Session

from engine import clock
from engine.models import OnlineDraft, OnlineDraftFile
from engine.services.attachments import ALLOWED_LABEL, MAX_ATTACHMENT_BYTES, UploadedFile
from engine.storage import AttachmentStore, sniff

MAX_FILES = 40  # on one draft: drafts are kept with no end date, so they must stay small

# What a file's name may claim, by what its bytes turn out to be.
EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg", ".jpe"},
    "image/png": {".png"},
}
KIND_LABELS = {"application/pdf": "PDF", "image/jpeg": "ảnh JPEG", "image/png": "ảnh PNG"}
_CLAIMS = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}


def upload_problem(upload: UploadedFile, max_bytes: int = MAX_ATTACHMENT_BYTES) -> str | None:
    """Why ``upload`` cannot be kept, in Vietnamese; None when it is a PDF, JPEG or PNG that is what it says."""
    name = upload.filename or "tệp"
    if len(upload.data) == 0:
        return f"Tệp “{name}” rỗng. Vui lòng chọn lại tệp."
    if len(upload.data) > max_bytes:
        return f"Tệp “{name}” lớn hơn giới hạn {max_bytes // (1024 * 1024)} MB. Vui lòng giảm dung lượng rồi tải lại."
    found = sniff(upload.data)
    claimed = _CLAIMS.get(PurePath(name).suffix.lower())
    if found is None:
        if claimed is not None:
            return (
                f"Tệp “{name}” không phải {KIND_LABELS[claimed]} thật: nội dung tệp không khớp với đuôi tên tệp. "
                f"Vui lòng tải lên bản {ALLOWED_LABEL}."
            )
        return f"Tệp “{name}” không phải {ALLOWED_LABEL}. Vui lòng tải lên bản scan hoặc ảnh chụp."
    if claimed is not None and claimed != found[0]:
        return (
            f"Tệp “{name}” có đuôi {KIND_LABELS[claimed]} nhưng nội dung là {KIND_LABELS[found[0]]}. "
            "Vui lòng kiểm tra lại tệp."
        )
    return None


def add_files(
    session: Session,
    draft: OnlineDraft,
    uploads: Sequence[UploadedFile],
    store: AttachmentStore | None,
    max_bytes: int = MAX_ATTACHMENT_BYTES,
) -> dict[str, str]:
    """Store each acceptable upload on the draft; messages for the others, keyed ``files.<component id>``."""
    errors: dict[str, str] = {}
    components = {c.id for c in draft.procedure.components}
    for upload in uploads:
        key = f"files.{upload.component}"
        if upload.component not in components:
            errors["files"] = "Tệp tải lên không gắn với thành phần hồ sơ nào của thủ tục này."
            continue
        problem = upload_problem(upload, max_bytes) or (None if store else "Hệ thống chưa cấu hình nơi lưu tệp.")
        if len(draft.files) >= MAX_FILES:
            problem = f"Hồ sơ nháp đã có {MAX_FILES} tệp, không thể thêm. Vui lòng xóa bớt tệp không cần thiết."
        if problem:
            errors[key] = f"{errors[key]} {problem}" if key in errors else problem
            continue
        assert store is not None
        draft.files.append(
            OnlineDraftFile(
                component_id=upload.component, **store_upload(session, upload, store), uploaded_at=clock.now()
            )
        )
    return errors


def store_upload(session: Session, upload: UploadedFile, store: AttachmentStore) -> dict[str, Any]:
    """Save an accepted upload's bytes; the columns a file row keeps of it (name, type, size, hash, key)."""
    content_type, extension = sniff(upload.data) or ("application/octet-stream", "")
    stored = store.save(session, upload.data, extension)
    return {
        "filename": display_name(upload.filename, extension),
        "content_type": content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "storage_key": stored.key,
    }


def display_name(filename: str, extension: str) -> str:
    """A name to show for an upload: no path parts or control characters, the real extension at the end."""
    base = (filename or "tep").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "tep"
    return base[:200] if base.lower().endswith(extension) else base[:200] + extension
