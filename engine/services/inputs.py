"""Small checks of what people type, shared by the services: one wording for one mistake."""

from __future__ import annotations

from typing import Any

from engine.services.errors import InvalidInput


def clean_text(value: Any, field: str, *, limit: int, required: bool = True, label: str = "nội dung") -> str:
    """``value`` stripped; InvalidInput naming ``field`` when it is missing (and required) or too long."""
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput({field: f"Hãy nhập {label}."})
    if len(text) > limit:
        raise InvalidInput({field: f"Tối đa {limit} ký tự (đang có {len(text)})."})
    return text
