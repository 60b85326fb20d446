"""Files a citizen uploads online: checked by content, size and the name they claim, before anything is kept."""

from __future__ import annotations

from pathlib import PurePath

from engine.services.attachments import ALLOWED_LABEL, MAX_ATTACHMENT_BYTES, UploadedFile
from engine.storage import sniff

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
