"""Dossier statuses: the national portal's codes (domain.md §5)."""

from __future__ import annotations

from enum import IntEnum


class DossierStatus(IntEnum):
    NEW = 1  # submitted online, not yet accepted
    ACCEPTED = 2
    REFUSED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    FEE_REQUESTED = 6
    WITHDRAWN = 7
    STOPPED = 8
    RESOLVED = 9
    RETURNED = 10

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[DossierStatus, str] = {
    DossierStatus.NEW: "Mới đăng ký",
    DossierStatus.ACCEPTED: "Được tiếp nhận",
    DossierStatus.REFUSED: "Không được tiếp nhận",
    DossierStatus.PROCESSING: "Đang xử lý",
    DossierStatus.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    DossierStatus.FEE_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    DossierStatus.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    DossierStatus.STOPPED: "Dừng xử lý",
    DossierStatus.RESOLVED: "Đã xử lý xong",
    DossierStatus.RETURNED: "Đã trả kết quả",
}


class Channel(IntEnum):
    IN_PERSON = 1
    ONLINE = 2
    POST = 3

    @property
    def label(self) -> str:
        return {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}[self.value]
