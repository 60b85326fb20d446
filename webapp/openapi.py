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
                "summary": (
                    "Phiếu tiếp nhận (Mẫu 01), yêu cầu bổ sung (Mẫu 02), từ chối (Mẫu 03), xin lỗi và gia hạn "
                    "(Mẫu 04), dừng xử lý (Mẫu 05), phiếu kiểm soát (Mẫu 06), kết quả và dự thảo kết quả"
                ),
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "form",
                        "in": "path",
                        "required": True,
                        "schema": {
                            "enum": ["mau-01", "mau-02", "mau-03", "mau-04", "mau-05", "mau-06", "result", "du-thao"]
                        },
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


def _param(name: str, where: str = "path", schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": schema or {"type": "string"}}


def _action(summary: str, params: list[str], body: dict[str, Any] | None, ok: str = "200") -> dict[str, Any]:
    """A POST that acts on a task or a dossier: its body's fields, and the refusals every action shares."""
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": [_param(p) for p in params],
        "responses": {
            ok: _resp("Đã thực hiện", {"type": "object"}),
            **_ERRORS,
            "409": _resp("Không còn áp dụng được: người khác vừa xử lý, hoặc trạng thái đã đổi", _ERROR),
            "422": _resp("Dữ liệu không hợp lệ, theo từng trường", _ERROR),
        },
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "properties": body}}},
        }
    return {"post": operation}


_TEXT = {"type": "string"}
_DATE = {"type": "string", "format": "date"}

OPENAPI["paths"]["/tasks"]["get"]["parameters"] = [
    _param("tab", "query", {"enum": ["all", "mine", "pool"], "default": "all"}),
    _param("procedure", "query", {"type": "integer"}),
    _param("field", "query", {"type": "integer"}),
    _param("received_from", "query", _DATE),
    _param("received_to", "query", _DATE),
    _param("due", "query", {"enum": ["", "soon", "overdue"]}),
    _param("sort", "query", {"enum": ["due", "created", "received"], "default": "due"}),
]
OPENAPI["paths"].update(
    {
        "/tasks/counts": {
            "get": {
                "summary": "Số công việc theo nhóm: của tôi, chưa ai nhận, sắp đến hạn, quá hạn",
                "responses": {"200": _resp("Số lượng", {"type": "object"}), **_ERRORS},
            }
        },
        "/tasks/{task_id}/claim": _action("Nhận xử lý một công việc chưa ai nhận", ["task_id"], None),
        "/tasks/{task_id}/release": _action("Trả công việc về đơn vị", ["task_id"], None),
        "/tasks/{task_id}/candidates": {
            "get": {
                "summary": "Những người có thể giao công việc, kèm số việc đang xử lý",
                "parameters": [_param("task_id")],
                "responses": {"200": _resp("Danh sách", {"type": "array", "items": {"type": "object"}}), **_ERRORS},
            }
        },
        "/tasks/{task_id}/assign": _action(
            "Lãnh đạo giao hoặc giao lại công việc", ["task_id"], {"user_id": {"type": "integer"}, "note": _TEXT}
        ),
        "/tasks/{task_id}/recall": _action(
            "Người chuyển thu hồi hồ sơ khi người nhận chưa xử lý", ["task_id"], {"note": _TEXT}
        ),
        "/tasks/{task_id}/rework": _action("Chuyển lại bước trước, kèm lý do", ["task_id"], {"reason": _TEXT}),
        "/delegations": {
            "get": {
                "summary": "Ủy quyền người gọi đã giao hoặc được nhận",
                "responses": {"200": _resp("Danh sách", {"type": "array", "items": {"type": "object"}}), **_ERRORS},
            },
            **_action(
                "Lãnh đạo ủy quyền cho người cùng đơn vị trong một khoảng thời gian",
                [],
                {"deputy_id": {"type": "integer"}, "starts_at": _TEXT, "ends_at": _TEXT, "reason": _TEXT},
                ok="201",
            ),
        },
        "/delegations/{delegation_id}/end": _action("Kết thúc ủy quyền ngay", ["delegation_id"], None),
        "/dossiers/{code}/comments": {
            "get": {
                "summary": "Ý kiến trao đổi trên hồ sơ",
                "parameters": [_param("code")],
                "responses": {"200": _resp("Danh sách", {"type": "array", "items": {"type": "object"}}), **_ERRORS},
            },
            **_action("Gửi ý kiến", ["code"], {"body": _TEXT}, ok="201"),
        },
        "/dossiers/{code}/attachments": {
            "post": {
                "summary": "Thêm tệp trong quá trình xử lý (multipart, trường “attachment”)",
                "parameters": [_param("code")],
                "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
                "responses": {"201": _resp("Đã thêm", {"type": "object"}), **_ERRORS},
            }
        },
        "/dossiers/{code}/supplement-request": _action(
            "Yêu cầu bổ sung giấy tờ (Mẫu 02); thời hạn tạm dừng",
            ["code"],
            {"items": {"type": "array", "items": {"type": "object"}}, "note": _TEXT},
        ),
        "/dossiers/{code}/supplement": _action(
            "Một cửa tiếp nhận hồ sơ bổ sung; thời hạn lùi tương ứng", ["code"], {"note": _TEXT}
        ),
        "/dossiers/{code}/extensions": _action(
            "Xin lỗi và gia hạn (Mẫu 04), trước khi hồ sơ quá hạn",
            ["code"],
            {"reason": _TEXT, "unit_at_fault": _TEXT, "new_due_date": _DATE},
            ok="201",
        ),
        "/verify/{code}": {
            "get": {
                "summary": "Xác minh công khai một văn bản kết quả bằng mã in trên văn bản",
                "security": [],
                "parameters": [_param("code")],
                "responses": {
                    "200": _resp("Văn bản hệ thống đã cấp", {"type": "object"}),
                    "404": _resp("Không có văn bản nào với mã này: có thể là giả mạo", _ERROR),
                },
            }
        },
        "/dossiers/{code}/stop": _action("Dừng xử lý hồ sơ (Mẫu 05)", ["code"], {"reason": _TEXT}),
        "/dossiers/{code}/return": _action(
            "Trả kết quả: ghi người nhận (trạng thái 10)", ["code"], {"receiver_name": _TEXT, "return_method": _TEXT}
        ),
    }
)


# ---- Citizen API (/api/v1/citizen/…): a citizen bearer token from POST /citizen/token ----
_CITIZEN_ERRORS = {
    "401": _resp("Thiếu, sai hoặc hết hạn mã truy cập công dân", _ERROR),
    "404": _resp("Không có hồ sơ này trong tài khoản", _ERROR),
}
_LEVEL = {
    "type": "integer",
    "enum": [1, 2, 3, 4],
    "description": "4 Rất hài lòng, 3 Hài lòng, 2 Chấp nhận được, 1 Không hài lòng",
}
OPENAPI["paths"].update(
    {
        "/citizen/register": {
            "post": {
                "summary": "Đăng ký tài khoản công dân; thư xác thực được gửi đến email",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["email", "password", "full_name"],
                                "properties": {
                                    "email": _TEXT,
                                    "password": {"type": "string", "minLength": 8},
                                    "full_name": _TEXT,
                                    "phone": _TEXT,
                                    "id_number": {"type": "string", "pattern": "^[0-9]{12}$"},
                                    "address": _TEXT,
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _resp("Đã tạo tài khoản, chưa xác thực", {"type": "object"}),
                    "422": _resp("Dữ liệu không hợp lệ (email trùng, mật khẩu yếu…), theo từng trường", _ERROR),
                    "429": _resp("Quá nhiều yêu cầu", _ERROR),
                },
            }
        },
        "/citizen/token": {
            "post": {
                "summary": "Đăng nhập công dân, nhận mã truy cập (khác mã của cán bộ)",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "properties": {"email": _TEXT, "password": _TEXT}}
                        }
                    },
                },
                "responses": {
                    "201": _resp("Mã truy cập", {"type": "object"}),
                    "401": _resp("Sai email, mật khẩu hoặc email chưa xác thực", _ERROR),
                    "429": _resp("Quá nhiều lần thử", _ERROR),
                },
            }
        },
        "/citizen/dossiers": {
            "get": {
                "summary": "Hồ sơ của công dân, mới nhất trước",
                "responses": {
                    "200": _resp("Danh sách", {"type": "array", "items": {"type": "object"}}),
                    **_CITIZEN_ERRORS,
                },
            }
        },
        "/citizen/dossiers/{code}": {
            "get": {
                "summary": "Chi tiết một hồ sơ của công dân: các bước, lịch hẹn, thành phần, kết quả",
                "parameters": [_param("code")],
                "responses": {"200": _resp("Hồ sơ", {"type": "object"}), **_CITIZEN_ERRORS},
            }
        },
        "/citizen/dossiers/{code}/result": {
            "get": {
                "summary": "Tải văn bản kết quả (.docx) của thủ tục toàn trình, khi hồ sơ ở trạng thái 9 hoặc 10",
                "parameters": [_param("code")],
                "responses": {
                    "200": {
                        "description": "Văn bản kết quả; mã xác minh trong tiêu đề X-Verification-Code",
                        "content": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}},
                    },
                    **_CITIZEN_ERRORS,
                    "403": _resp("Thủ tục không trả kết quả trực tuyến", _ERROR),
                    "409": _resp("Hồ sơ chưa có kết quả", _ERROR),
                },
            }
        },
        "/citizen/dossiers/{code}/rating": {
            "post": {
                "summary": "Đánh giá mức độ hài lòng, một lần, sau trạng thái 9 hoặc 10",
                "parameters": [_param("code")],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": [
                                    "overall",
                                    "convenience",
                                    "timeliness",
                                    "attitude",
                                    "transparency",
                                    "contacts_count",
                                    "agencies_count",
                                ],
                                "properties": {
                                    "overall": _LEVEL,
                                    "convenience": _LEVEL,
                                    "timeliness": _LEVEL,
                                    "attitude": _LEVEL,
                                    "transparency": _LEVEL,
                                    "contacts_count": {"type": "integer", "minimum": 1, "maximum": 20},
                                    "agencies_count": {"type": "integer", "minimum": 1, "maximum": 10},
                                    "comment": {"type": "string", "maxLength": 2000},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _resp("Đã ghi nhận", {"type": "object"}),
                    **_CITIZEN_ERRORS,
                    "409": _resp("Đã đánh giá, hoặc hồ sơ chưa xử lý xong", _ERROR),
                    "422": _resp("Câu trả lời không hợp lệ, theo từng trường", _ERROR),
                },
            }
        },
    }
)


# --- Online submission (webapp/online_api.py) ---------------------------------------------------------
_CITIZEN = [{"citizenBearer": []}]
OPENAPI["components"]["securitySchemes"]["citizenBearer"] = {
    "type": "http",
    "scheme": "bearer",
    "description": "Mã truy cập của tài khoản công dân (không phải của cán bộ).",
}
_MULTIPART_SUBMISSION = {
    "type": "object",
    "properties": {
        "payload": {
            "type": "string",
            "description": "JSON: procedure_code, unit_id (bỏ qua khi chỉ có một nơi tiếp nhận), applicant "
            "(như Applicant), data (tờ khai), return_method (counter | post), draft_id (để nộp tiếp một hồ sơ nháp)",
        },
    },
    "patternProperties": {"^file-[0-9]+$": {"type": "string", "format": "binary"}},
    "description": "Mỗi tệp ở trường file-<mã thành phần hồ sơ trong danh mục>; PDF, JPEG hoặc PNG.",
}
OPENAPI["paths"].update(
    {
        "/citizen/submissions": {
            "post": {
                "summary": "Công dân nộp hồ sơ trực tuyến (multipart): hồ sơ trạng thái 1, kênh trực tuyến",
                "security": _CITIZEN,
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": _MULTIPART_SUBMISSION}},
                },
                "responses": {
                    "201": _resp("Hồ sơ đã nộp (trạng thái 1, Mới đăng ký)", {"type": "object"}),
                    "401": _resp("Thiếu, sai hoặc hết hạn mã truy cập công dân", _ERROR),
                    "404": _resp("Không tìm thấy thủ tục hoặc hồ sơ nháp", _ERROR),
                    "422": _resp(
                        "Dữ liệu hoặc tệp không hợp lệ, theo từng trường; draft_id là hồ sơ nháp giữ những gì đã gửi",
                        _ERROR,
                    ),
                },
            }
        },
        "/citizen/dossiers/{code}/supplement": {
            "post": {
                "summary": "Công dân bổ sung hồ sơ trực tuyến theo yêu cầu và gửi lại (trạng thái 1)",
                "security": _CITIZEN,
                "parameters": [_param("code")],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"note": _TEXT},
                                "patternProperties": {"^file-[0-9]+$": {"type": "string", "format": "binary"}},
                                "description": "Mỗi tệp ở trường file-<id thành phần của hồ sơ> được yêu cầu bổ sung.",
                            }
                        }
                    },
                },
                "responses": {
                    "200": _resp("Đã gửi lại hồ sơ", {"type": "object"}),
                    "401": _resp("Thiếu, sai hoặc hết hạn mã truy cập công dân", _ERROR),
                    "404": _resp("Không tìm thấy hồ sơ trong các hồ sơ của công dân", _ERROR),
                    "409": _resp("Hồ sơ không chờ bổ sung", _ERROR),
                    "422": _resp(
                        "Thiếu giấy tờ được yêu cầu, hoặc tệp không hợp lệ (các tệp hợp lệ vẫn được lưu)", _ERROR
                    ),
                },
            }
        },
        "/online-dossiers": {
            "get": {
                "summary": "Hồ sơ nộp trực tuyến chờ bộ phận một cửa của người gọi tiếp nhận (mới nhất trước)",
                "responses": {"200": _resp("Danh sách", {"type": "array", "items": {"type": "object"}}), **_ERRORS},
            }
        },
        "/online-dossiers/{code}/accept": _action(
            "Tiếp nhận hồ sơ trực tuyến: quy trình bắt đầu, giấy tiếp nhận gửi email cho công dân",
            ["code"],
            {"version": {"type": "integer"}, "note": _TEXT},
        ),
        "/online-dossiers/{code}/supplement": _action(
            "Yêu cầu công dân bổ sung (Mẫu 02), lý do theo từng thành phần; gửi email",
            ["code"],
            {
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"component_id": {"type": "integer"}, "reason": _TEXT},
                    },
                },
                "note": _TEXT,
                "version": {"type": "integer"},
            },
        ),
        "/online-dossiers/{code}/refuse": _action(
            "Từ chối tiếp nhận hồ sơ trực tuyến (Mẫu 03, trạng thái 3); lý do gửi email",
            ["code"],
            {"reason": _TEXT, "version": {"type": "integer"}},
        ),
    }
)

# Staff search over dossiers (webapp/search_api.py).
_CRITERIA = [
    _param("code", "query", {"type": "string", "maxLength": 60, "description": "Mã hồ sơ, đầy đủ hoặc phần đầu"}),
    _param("name", "query", {"type": "string", "maxLength": 100, "description": "Tên người nộp, có thể không dấu"}),
    _param("id_number", "query", {"type": "string", "maxLength": 12}),
    _param("phone", "query", {"type": "string", "maxLength": 15}),
    _param("procedure", "query", {"type": "integer"}),
    _param("field", "query", {"type": "integer"}),
    _param("status", "query", {"type": "integer", "minimum": 1, "maximum": 10}),
    _param("unit", "query", {"type": "integer"}),
    _param("handler", "query", {"type": "integer", "description": "Người đang giữ hoặc đã xử lý một bước"}),
    _param("received_from", "query", _DATE),
    _param("received_to", "query", _DATE),
    _param("due_from", "query", _DATE),
    _param("due_to", "query", _DATE),
    _param("overdue", "query", {"type": "boolean"}),
    _param("sort", "query", {"enum": ["received", "due", "code"], "default": "received"}),
    _param("page", "query", {"type": "integer", "minimum": 1}),
    _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}),
]
_INVALID = {"422": _resp("Điều kiện không hợp lệ, theo từng trường (hoặc tìm kiếm quá lâu)", _ERROR)}
OPENAPI["paths"]["/dossiers"]["get"] = {
    "summary": "Tìm hồ sơ trong phạm vi đơn vị của người gọi; đếm tối đa 1.000 kết quả",
    "parameters": _CRITERIA,
    "responses": {
        "200": _resp(
            "Một trang kết quả",
            {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": {"type": "object"}},
                    "paging": {
                        "type": "object",
                        "properties": {
                            "page": {"type": "integer"},
                            "per_page": {"type": "integer"},
                            "pages": {"type": "integer"},
                            "total": {"type": "integer"},
                            "more": {"type": "boolean", "description": "Có hơn count_cap kết quả"},
                            "count_cap": {"type": "integer"},
                        },
                    },
                },
            },
        ),
        **_ERRORS,
        **_INVALID,
    },
}
OPENAPI["paths"].update(
    {
        "/saved-searches": {
            "get": {
                "summary": "Tìm kiếm người gọi đã lưu",
                "responses": {"200": _resp("Danh sách", {"type": "array", "items": {"type": "object"}}), **_ERRORS},
            },
            **_action(
                "Lưu điều kiện tìm kiếm dưới một tên",
                [],
                {"name": _TEXT, "criteria": {"type": "object", "description": "Các tham số của GET /dossiers"}},
                ok="201",
            ),
        },
        "/saved-searches/{saved_id}": {
            "get": {
                "summary": "Một tìm kiếm đã lưu (của người gọi)",
                "parameters": [_param("saved_id")],
                "responses": {"200": _resp("Tìm kiếm", {"type": "object"}), **_ERRORS},
            },
            "delete": {
                "summary": "Xóa một tìm kiếm đã lưu (của người gọi)",
                "parameters": [_param("saved_id")],
                "responses": {"204": {"description": "Đã xóa"}, **_ERRORS},
            },
        },
        "/bulk-emails": {
            "post": {
                "summary": (
                    "Gửi e-mail (qua hàng đợi) cho người nộp của các hồ sơ tìm được; lãnh đạo hoặc cán bộ một cửa; "
                    "tối đa 5.000 địa chỉ"
                ),
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "description": "Các tham số của GET /dossiers, cùng subject, body và attachment",
                                "required": ["subject", "body"],
                                "properties": {
                                    "subject": {"type": "string", "maxLength": 200},
                                    "body": {"type": "string", "maxLength": 10000},
                                    "attachment": {"type": "string", "format": "binary"},
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "201": _resp(
                        "Số thư đã xếp hàng và số hồ sơ không có e-mail",
                        {
                            "type": "object",
                            "properties": {"recipients": {"type": "integer"}, "without_email": {"type": "integer"}},
                        },
                    ),
                    **_ERRORS,
                    **_INVALID,
                },
            }
        },
    }
)

from webapp.openapi_reports import REPORT_PATHS  # noqa: E402 - the reports keep their own module

OPENAPI["paths"].update(REPORT_PATHS)

# Fee payment (webapp/payments_api.py).
OPENAPI["paths"].update(
    {
        "/payments": {
            "post": {
                "summary": "Người nộp bắt đầu thanh toán trực tuyến khoản phí đang chờ của hồ sơ",
                "description": "Xác thực bằng mã hồ sơ và số điện thoại hoặc số định danh đã khai; trả về địa chỉ "
                "cổng thanh toán (VNPAY) để chuyển người nộp tới. Giới hạn số lần gọi theo địa chỉ.",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["code", "second_factor"],
                                "properties": {
                                    "code": _TEXT,
                                    "second_factor": {"type": "string", "description": "Số điện thoại hoặc CCCD"},
                                    "return_url": {"type": "string", "format": "uri"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _resp(
                        "Giao dịch chờ thanh toán",
                        {
                            "type": "object",
                            "properties": {
                                "txn_ref": _TEXT,
                                "amount": {"type": "integer"},
                                "status": {"enum": ["pending"]},
                                "redirect_url": {"type": "string", "format": "uri"},
                            },
                        },
                    ),
                    "404": _resp("Mã hồ sơ hoặc số điện thoại / số định danh không đúng", _ERROR),
                    "409": _resp("Hồ sơ không có khoản phí chờ nộp, hoặc chưa cấu hình thanh toán", _ERROR),
                    "429": _resp("Gọi quá nhiều lần"),
                },
            }
        },
        "/payments/vnpay/ipn": {
            "get": {
                "summary": "VNPAY báo kết quả giao dịch (IPN), tham số vnp_* có chữ ký vnp_SecureHash",
                "description": "Luôn trả HTTP 200 với RspCode: 00 xác nhận thành công, 01 không tìm thấy giao dịch, "
                "02 giao dịch đã được xác nhận trước đó, 04 sai số tiền, 97 sai chữ ký, 99 lỗi khác.",
                "security": [],
                "responses": {
                    "200": _resp(
                        "Kết quả ghi nhận",
                        {
                            "type": "object",
                            "properties": {"RspCode": {"enum": ["00", "01", "02", "04", "97", "99"]}, "Message": _TEXT},
                        },
                    )
                },
            }
        },
        "/dossiers/{code}/fee": _action(
            "Người đang xử lý yêu cầu nộp phí, lệ phí (trạng thái 6)",
            ["code"],
            {"amount": {"type": "integer", "minimum": 1}, "note": _TEXT},
            ok="201",
        ),
        "/dossiers/{code}/cash-payment": _action(
            "Một cửa ghi nhận nộp phí bằng tiền mặt tại quầy", ["code"], {"receipt_no": _TEXT}, ok="201"
        ),
    }
)

# The dashboard and the warnings (webapp/dashboard.py).
OPENAPI["paths"].update(
    {
        "/dashboard": {
            "get": {
                "summary": "Bảng điều khiển của người gọi: số công việc, hàng chờ tại một cửa, biểu đồ 12 tháng, "
                "tỷ lệ đúng hạn; lãnh đạo thấy đơn vị mình và các đơn vị trực thuộc",
                "responses": {"200": _resp("Số liệu tính tại thời điểm gọi", {"type": "object"}), **_ERRORS},
            }
        },
        "/warnings": {
            "get": {
                "summary": "Hồ sơ sắp đến hạn, quá hạn theo người xử lý, đơn vị, số ngày quá hạn, kèm danh sách đã lọc",
                "parameters": [
                    _param("state", "query", {"type": "string", "enum": ["soon", "overdue"]}),
                    _param("person", "query", {"type": "string", "description": "u<id người>, p<id đơn vị>, none"}),
                    _param("unit", "query", {"type": "integer"}),
                    _param("bucket", "query", {"type": "string", "enum": ["1", "2-3", "4-7", "8+"]}),
                ],
                "responses": {
                    "200": _resp("Cảnh báo", {"type": "object"}),
                    **_ERRORS,
                    "422": _resp("Tham số sai, theo từng tham số", _ERROR),
                },
            }
        },
    }
)
