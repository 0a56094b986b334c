"""The real SMTP server fixture of the notification tests, for the partner e-mails."""

from amparo.notify.tests.conftest import smtp  # noqa: F401
