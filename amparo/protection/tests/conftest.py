# The real SMTP server of the notification tests (aiosmtpd on 127.0.0.1).
from amparo.notify.tests.conftest import smtp  # noqa: F401
