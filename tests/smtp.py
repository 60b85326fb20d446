"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), keeping what it receives, decoded.

Use it through a fixture in the test module::

    @pytest.fixture
    def smtp():
        with SmtpSink() as sink:
            yield sink
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    subject: str
    body: str
    message: EmailMessage


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address in self.sink.refused:
            return "550 5.1.1 Không có hộp thư này"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        received = Received(
            sender=envelope.mail_from,
            recipients=list(envelope.rcpt_tos),
            subject=str(message["Subject"]),
            # The text part of a message with attachments; lines end in CRLF on the wire.
            body=(message.get_body(("plain",)) or message).get_content().replace("\r\n", "\n"),
            message=message,
        )
        with self.sink.lock:
            self.sink.messages.append(received)
        return "250 OK"


class SmtpSink:
    """An SMTP server on a free local port; ``stop()`` and ``start()`` again keep the port."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[Received] = []
        self.refused: set[str] = set()  # addresses refused at RCPT TO
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def subjects(self) -> list[str]:
        with self.lock:
            return [m.subject for m in self.messages]

    def wait_for(self, wanted: Callable[[Received], bool], timeout: float = 10.0) -> Received:
        """The first message ``wanted`` accepts, waiting for it: a request served over HTTP sends its mail
        once its response has gone, so the mail may land just after the caller has its answer."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = next((m for m in self.messages if wanted(m)), None)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no such mail within {timeout:.0f} s; received: {self.subjects()}")
            time.sleep(0.05)

    def subjects_to(self, address: str) -> list[str]:
        """What ``address`` received: the applicant's mail, apart from the staff's task alerts."""
        with self.lock:
            return [m.subject for m in self.messages if address in m.recipients]

    def __enter__(self) -> SmtpSink:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
