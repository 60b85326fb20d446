"""Where attachment bytes live: a directory on disk, shared by every app process.

Files are written before the transaction commits; ``forget_new_files`` removes
the ones a rolled-back transaction wrote, so no orphan is left behind.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

# The formats a scanned component may take, told by their first bytes, never by their name.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


def sniff(data: bytes) -> tuple[str, str] | None:
    """``(content_type, extension)`` of a PDF, JPEG or PNG; None for anything else."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    return None


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class AttachmentStore:
    """Attachment bytes in ``root``, named by random keys (never by what the uploader called them)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise ValueError("invalid attachment key")
        return self.root / key[:2] / key

    def save(self, session: Session, data: bytes, extension: str) -> StoredFile:
        key = uuid.uuid4().hex + extension
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        session.info.setdefault("new_files", []).append(path)
        return StoredFile(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()


def forget_new_files(session: Session, *, delete: bool) -> None:
    """After a commit keep the files written in it; after a rollback delete them."""
    for path in session.info.pop("new_files", []):
        if delete:
            Path(path).unlink(missing_ok=True)
