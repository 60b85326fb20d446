"""The OpenAPI description of /api/v1/reports/… (merged into webapp/openapi.py)."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_DATE = {"type": "string", "format": "date"}
_COMMON = [
    {"name": "from", "in": "query", "required": True, "schema": _DATE, "description": "Ngày bắt đầu kỳ báo cáo"},
    {"name": "to", "in": "query", "required": True, "schema": _DATE, "description": "Ngày kết thúc (tối đa 5 năm)"},
    {
        "name": "unit",
        "in": "query",
        "schema": {"type": "string"},
        "description": "Mã định danh đơn vị; mặc định: đơn vị của người gọi (quản trị: tất cả)",
    },
]
_FILE = {"name": "format", "in": "query", "schema": {"enum": ["json", "xlsx", "pdf"], "default": "json"}}
_FILES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
    "application/pdf": {},
}


def _report(summary: str, extra: list[dict[str, Any]], exportable: bool) -> dict[str, Any]:
    ok: dict[str, Any] = {
        "description": "Báo cáo" + (" (JSON, hoặc tệp .xlsx / PDF theo format)" if exportable else ""),
        "content": {"application/json": {"schema": {"type": "object"}}, **(_FILES if exportable else {})},
    }
    return {
        "get": {
            "summary": summary,
            "parameters": [*_COMMON, *extra, *([_FILE] if exportable else [])],
            "responses": {
                "200": ok,
                "401": {"description": "Thiếu, sai hoặc hết hạn mã truy cập", "content": _json(_ERROR)},
                "403": {
                    "description": "Không phải lãnh đạo / quản trị, hoặc đơn vị ngoài phạm vi",
                    "content": _json(_ERROR),
                },
                "422": {
                    "description": "Kỳ báo cáo, đơn vị hoặc cách nhóm không hợp lệ, theo từng trường",
                    "content": _json(_ERROR),
                },
                **({"503": {"description": "Không tạo được PDF", "content": _json(_ERROR)}} if exportable else {}),
            },
        }
    }


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


REPORT_PATHS: dict[str, Any] = {
    "/reports/bieu-06": _report(
        "Biểu 06/VPCP/KSTT: tình hình, kết quả giải quyết TTHC theo lĩnh vực hoặc theo đơn vị",
        [{"name": "by", "in": "query", "schema": {"enum": ["field", "unit"], "default": "field"}}],
        exportable=True,
    ),
    "/reports/procedures": _report(
        "Kết quả giải quyết theo thủ tục, thời gian giải quyết trung bình (ngày theo lịch)", [], exportable=True
    ),
    "/reports/officers": _report("Kết quả xử lý theo cán bộ: bước đã hoàn thành đúng hạn, quá hạn", [], False),
    "/reports/qd-766": _report("Các chỉ số theo Quyết định 766/QĐ-TTg mà dữ liệu cho phép", [], False),
    "/reports/mau-07": _report(
        "Sổ theo dõi hồ sơ (Mẫu 07): từng trang 50 dòng, hoặc cả kỳ khi tải tệp",
        [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}}],
        exportable=True,
    ),
}
