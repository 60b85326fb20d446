"""Vietnamese subjects survive the trip through the e-mail encoder word for word."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from engine.mail import SmtpMailer


@pytest.mark.parametrize(
    "subject",
    [
        "Nhắc việc: 1 công việc sắp đến hạn ngày 01/12/2026",
        "Hồ sơ quá hạn ngày 01/12/2026: 1234 hồ sơ",
        "Tổng hợp hồ sơ quá hạn ngày 31/01/2027: 123 hồ sơ của Sở Xây dựng và các phòng trực thuộc",
    ],
)
def test_a_long_vietnamese_subject_keeps_every_space(subject):
    built = SmtpMailer("127.0.0.1", 25, "Bộ phận Một cửa <motcua@example.com>").build(
        "an@example.com", subject, "Nội dung"
    )
    raw = built.as_bytes()
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == subject
    body = raw.split(b"\n\n", 1)[1]
    assert max(len(line) for line in body.splitlines()) <= 76  # the body's lines stay within MIME's limit
