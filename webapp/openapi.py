"""The OpenAPI 3.1 document served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}


def _resp(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        out["content"] = {"application/json": {"schema": schema}}
    return out


_ERRORS = {
    "401": _resp("Thiếu, sai hoặc hết hạn mã truy cập", _ERROR),
    "403": _resp("Không có quyền", _ERROR),
    "404": _resp("Không tìm thấy", _ERROR),
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Một Cửa API",
        "version": "1.0.0",
        "description": "Hệ thống một cửa điện tử: tiếp nhận, xử lý và tra cứu hồ sơ thủ tục hành chính.",
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {"type": "string"},
                    "errors": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
            "Applicant": {
                "type": "object",
                "required": ["full_name", "id_number", "address"],
                "properties": {
                    "full_name": {"type": "string", "maxLength": 255},
                    "id_number": {"type": "string", "pattern": "^[0-9]{12}$"},
                    "phone": {"type": "string"},
                    "email": {"type": "string"},
                    "address": {"type": "string", "maxLength": 500},
                },
            },
            "FormField": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "label": {"type": "string"},
                    "type": {"enum": ["text", "textarea", "integer", "number", "date", "choice", "boolean", "user"]},
                    "required": {"type": "boolean"},
                    "choices": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"value": {"type": "string"}, "label": {"type": "string"}},
                        },
                    },
                    "max_length": {"type": "integer"},
                    "min": {"type": "number"},
                    "max": {"type": "number"},
                },
            },
            "Task": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "dossier_code": {"type": "string"},
                    "step": {"type": "string"},
                    "title": {"type": "string"},
                    "role": {"type": "string"},
                    "assignee_id": {"type": ["integer", "null"]},
                    "created_at": {"type": "string", "format": "date-time"},
                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                    "form": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "title": {"type": "string"},
                            "fields": {"type": "array", "items": {"$ref": "#/components/schemas/FormField"}},
                        },
                    },
                },
            },
            "Dossier": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "examples": ["000.00.01.H10-260115-0001"]},
                    "procedure_code": {"type": "string"},
                    "procedure_name": {"type": "string"},
                    "status": {"type": "integer", "minimum": 1, "maximum": 10},
                    "status_label": {"type": "string"},
                    "channel": {"type": "integer"},
                    "applicant": {"$ref": "#/components/schemas/Applicant"},
                    "received_at": {"type": "string", "format": "date-time"},
                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                    "finished_at": {"type": ["string", "null"], "format": "date-time"},
                    "returned_at": {"type": ["string", "null"], "format": "date-time"},
                    "history": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/tokens": {
            "post": {
                "summary": "Lấy mã truy cập",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["username", "password"],
                                "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                            }
                        }
                    },
                },
                "responses": {
                    "201": _resp("Mã truy cập", {"type": "object", "properties": {"token": {"type": "string"}}}),
                    "401": _resp("Sai tên đăng nhập hoặc mật khẩu", _ERROR),
                    "422": _resp("Dữ liệu không hợp lệ", _ERROR),
                },
            }
        },
        "/procedures": {
            "get": {
                "summary": "Danh mục thủ tục",
                "responses": {"200": _resp("Các thủ tục", {"type": "array", "items": {"type": "object"}}), **_ERRORS},
            }
        },
        "/dossiers": {
            "post": {
                "summary": "Tiếp nhận hồ sơ (cán bộ một cửa)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["procedure_code", "applicant"],
                                "properties": {
                                    "procedure_code": {"type": "string"},
                                    "applicant": {"$ref": "#/components/schemas/Applicant"},
                                    "components": {
                                        "type": "array",
                                        "items": {
                                            "oneOf": [
                                                {"type": "integer"},
                                                {
                                                    "type": "object",
                                                    "properties": {
                                                        "id": {"type": "integer"},
                                                        "name": {"type": "string"},
                                                        "originals": {"type": "integer"},
                                                        "certified_copies": {"type": "integer"},
                                                        "photocopies": {"type": "integer"},
                                                    },
                                                },
                                            ]
                                        },
                                    },
                                    "channel": {"enum": [1, 3]},
                                    "sets_count": {"type": "integer", "minimum": 1},
                                    "return_method": {"enum": ["counter", "post"]},
                                    "received_at": {"type": "string", "format": "date-time"},
                                    "outcome": {"enum": ["accept", "supplement", "refuse"]},
                                    "missing": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "component": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                                                "reason": {"type": "string"},
                                            },
                                        },
                                    },
                                    "reason": {"type": "string"},
                                    "data": {"type": "object"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _resp("Hồ sơ đã tiếp nhận", {"$ref": "#/components/schemas/Dossier"}),
                    **_ERRORS,
                    "409": _resp("Thủ tục chưa có quy trình", _ERROR),
                    "422": _resp("Dữ liệu không hợp lệ, theo từng trường", _ERROR),
                },
            }
        },
        "/dossiers/{code}": {
            "get": {
                "summary": "Hồ sơ và lịch sử xử lý (cán bộ của cơ quan)",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _resp("Hồ sơ", {"$ref": "#/components/schemas/Dossier"}), **_ERRORS},
            }
        },
        "/tasks": {
            "get": {
                "summary": "Công việc người gọi được xử lý",
                "responses": {
                    "200": _resp("Công việc", {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}),
                    **_ERRORS,
                },
            }
        },
        "/tasks/{id}/complete": {
            "post": {
                "summary": "Hoàn thành một công việc",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"data": {"type": "object"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _resp("Trạng thái mới và các công việc tiếp theo", {"type": "object"}),
                    **_ERRORS,
                    "409": _resp("Công việc không còn mở", _ERROR),
                    "422": _resp("Dữ liệu biểu mẫu không hợp lệ, theo từng trường", _ERROR),
                },
            }
        },
        "/dossiers/{code}/documents/{form}": {
            "get": {
                "summary": "Phiếu tiếp nhận (Mẫu 01), yêu cầu bổ sung (Mẫu 02), từ chối (Mẫu 03)",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "form",
                        "in": "path",
                        "required": True,
                        "schema": {"enum": ["mau-01", "mau-02", "mau-03"]},
                    },
                    {"name": "format", "in": "query", "schema": {"enum": ["pdf", "docx"], "default": "pdf"}},
                ],
                "responses": {
                    "200": {"description": "Tệp PDF hoặc .docx"},
                    **_ERRORS,
                    "409": _resp("Hồ sơ không có phiếu này", _ERROR),
                    "503": _resp("Máy chủ chưa cài LibreOffice để tạo PDF", _ERROR),
                },
            }
        },
        "/appointment": {
            "get": {
                "summary": "Ngày hẹn trả theo lịch làm việc, cho một thời điểm tiếp nhận",
                "parameters": [
                    {"name": "procedure_code", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "unit", "in": "query", "schema": {"type": "string"}},
                    {"name": "received_at", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                ],
                "responses": {
                    "200": _resp("Ngày hẹn", {"type": "object"}),
                    **_ERRORS,
                    "422": _resp("Tham số sai", _ERROR),
                },
            }
        },
        "/lookup/{code}": {
            "get": {
                "summary": "Tra cứu công khai trạng thái hồ sơ (không có dữ liệu cá nhân)",
                "security": [],
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _resp("Trạng thái", {"type": "object"}), "404": _resp("Không tìm thấy", _ERROR)},
            }
        },
    },
}
