"""A real SMTP server on 127.0.0.1 for the notification tests (aiosmtpd).

Nothing leaves the machine: the server only listens on the loopback and
keeps what it receives in memory for the test to read.
"""

from __future__ import annotations

import email
import email.policy
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

# aiosmtpd logs every SMTP command, addresses included, at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]


class Inbox:
    """The aiosmtpd handler: stores every message it accepts."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        # Addresses to refuse at RCPT TO, with the reply to give.
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(  # aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@dataclass
class SMTPServer:
    port: int
    inbox: Inbox = field(default_factory=Inbox)
    controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.inbox.received

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp(request: pytest.FixtureRequest) -> Iterator[SMTPServer]:
    """A running server, with Django's mail settings pointed at it.

    Test classes get it as ``self.smtp``.
    """
    server = SMTPServer(port=free_port())
    server.start()
    settings = override_settings(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        DEFAULT_FROM_EMAIL="desk@amparo.test",
        AMPARO_BASE_URL="https://desk.amparo.test",
        AMPARO_ONCALL_EMAIL=[],
    )
    settings.enable()
    if request.instance is not None:
        request.instance.smtp = server
    try:
        yield server
    finally:
        settings.disable()
        server.stop()
