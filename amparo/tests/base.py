"""The personas every test can use, enrolled through the real code path.

Key derivation runs with the insecure fast parameters of amparo.settings_test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.test import Client, TestCase

from amparo.accounts import keyring, totp
from amparo.accounts.actions import do_enrol, do_invite
from amparo.accounts.models import Role, User
from amparo.cases.actions.create import ConsentChoice, do_create_case
from amparo.cases.models import Case
from amparo.crypto import generate_recovery_key, unwrap_with_password

PASSWORD = "correct horse battery staple"


@dataclass
class Persona:
    user: User
    password: str
    recovery_key: str = field(repr=False)
    totp_secret: bytes = field(repr=False)

    def code(self) -> str:
        return totp.current_code(self.totp_secret)

    def private_key(self) -> bytes:
        return unwrap_with_password(bytes(self.user.private_key_by_password), self.password)


def enrol_persona(username: str, roles: list[Role], password: str = PASSWORD) -> Persona:
    invitation, _token = do_invite(None, username, roles, confirmed_by_operator=True)
    recovery_key = generate_recovery_key()
    secret = totp.generate_secret()
    user = do_enrol(invitation, password=password, recovery_key=recovery_key, totp_secret=secret)
    return Persona(user=user, password=password, recovery_key=recovery_key, totp_secret=secret)


def sign_in(client: Client, persona: Persona) -> None:
    """Sign ``client`` in as ``persona`` with the key cookie, as the login view does.

    Skips the form so a test can sign the same person in twice within one
    TOTP step; the login view itself is tested in amparo/accounts/tests.
    """
    client.force_login(persona.user)
    request = HttpRequest()
    request.session = client.session
    request.user = persona.user
    response = HttpResponse()
    keyring.unlock(request, response, persona.private_key())
    request.session.save()
    client.cookies[keyring.COOKIE_NAME] = response.cookies[keyring.COOKIE_NAME].value


@dataclass
class Reporter:
    """Someone who reported: their case and the receipt they wrote down."""

    case: Case
    receipt: str = field(repr=False)


def make_reporter(narrative: str = "They searched our office and took the laptops.") -> Reporter:
    created = do_create_case(
        answers={"narrative": narrative},
        language="en",
        questionnaire_version="test",
        consents=[ConsentChoice("store", True, "test"), ConsentChoice("contact", True, "test")],
    )
    assert created.receipt is not None
    return Reporter(case=created.case, receipt=created.receipt)


class AmparoTestCase(TestCase):
    """Personas: a coordinator, a handler, an analyst, an administrator, an
    outsider (a handler with no access to anything in particular), and a
    reporter, made on demand with ``make_reporter()`` so that tests counting
    cases start from none."""

    coordinator: Persona
    handler: Persona
    analyst: Persona
    administrator: Persona
    outsider: Persona

    @classmethod
    def setUpTestData(cls) -> None:
        cls.coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
        cls.handler = enrol_persona("handler", [Role.HANDLER])
        cls.analyst = enrol_persona("analyst", [Role.ANALYST])
        cls.administrator = enrol_persona("administrator", [Role.ADMINISTRATOR])
        cls.outsider = enrol_persona("outsider", [Role.HANDLER])

    def sign_in(self, persona: Persona) -> None:
        sign_in(self.client, persona)

    def make_reporter(self, narrative: str = "They searched our office.") -> Reporter:
        """The reporter persona: a report sealed to the coordinator, with its receipt."""
        return make_reporter(narrative)
