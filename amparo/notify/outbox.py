"""Queue notification e-mails and deliver them over SMTP, with retries.

A message is claimed before it is sent by a single conditional UPDATE that
counts the attempt and pushes its due time out by a lease. Two senders (the
on-commit attempt and ``send_notifications``, or two cron runs) therefore
never send the same row at once, no database lock is held while talking to
the SMTP server, and a sender that dies mid-attempt leaves the row to be
retried when the lease runs out. Delivery is at least once: a crash between
the server's "250 OK" and the row's update sends that message again.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from amparo.notify.models import ACTIVITY_KINDS, OutboundEmail, Status

logger = logging.getLogger("amparo.notify")

#: Attempts before a message is marked failed (about six hours of trying).
MAX_ATTEMPTS = 10
#: The wait after the first failure; it doubles after each one, up to MAX_DELAY.
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=2)
#: How long an attempt may take before another sender may retry the row.
LEASE = timedelta(minutes=10)
#: Sent messages are kept this long (without content they matter little, but
#: addresses and days of activity are still metadata), then deleted.
KEEP_SENT = timedelta(days=30)
#: Seconds to wait for the SMTP server on the attempt made right after a
#: change commits, inside someone's request; the periodic sender waits
#: EMAIL_TIMEOUT.
IMMEDIATE_TIMEOUT = 5.0

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def count_failure(self, given_up: bool) -> None:
        if given_up:
            self.failed += 1
        else:
            self.retrying += 1


class ConnectionFailed(Exception):
    """The SMTP server could not be reached or refused the session."""


def backoff(attempts: int) -> timedelta:
    """The wait before the next try, after ``attempts`` failed ones."""
    return min(BASE_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)


def desk_link(language: str) -> str:
    """The desk's sign-in page, leading on to the inbox: never to a case."""
    with translation.override(language):
        try:
            target = reverse("cases:inbox")
        except NoReverseMatch:  # the desk's views are not installed
            target = reverse("accounts:home")
        login = reverse("accounts:login")
    return f"{settings.AMPARO_BASE_URL}{login}?{urlencode({'next': target})}"


def render(
    language: str, template: str = "activity", extra: dict[str, object] | None = None
) -> tuple[str, str]:
    """The subject and body of ``notify/<template>_subject.txt`` and ``_body.txt``.

    The activity message is the same whatever the activity was; the others
    (amparo.protection's escalation and digest) carry no case content either.
    """
    context = {"desk": settings.AMPARO_DESK_NAME, "link": desk_link(language), **(extra or {})}
    with translation.override(language):
        subject = render_to_string(f"notify/{template}_subject.txt", context)
        body = render_to_string(f"notify/{template}_body.txt", context)
    # A header must be one line.
    return " ".join(subject.split()), body.strip() + "\n"


def queue(
    recipients: Iterable[Recipient],
    kind: str,
    *,
    template: str = "activity",
    extra: dict[str, object] | None = None,
) -> list[int]:
    """Queue one message per address and return the ids of the new rows.

    An address that already has an activity message waiting gets no second
    one: every such message says the same thing, so one "come and look"
    covers both. Other messages (an escalation, a digest) are merged only
    with a waiting message of their own kind.
    """
    today = timezone.localdate()
    now = timezone.now()
    created: list[int] = []
    with transaction.atomic():
        for recipient in recipients:
            waiting = OutboundEmail.objects.filter(
                recipient__iexact=recipient.address, status=Status.QUEUED
            )
            if template == "activity":
                waiting = waiting.filter(kind__in=ACTIVITY_KINDS)
            else:
                waiting = waiting.filter(kind=kind)
            if waiting.exists():
                continue
            subject, body = render(recipient.language, template, extra)
            email = OutboundEmail.objects.create(
                recipient=recipient.address,
                kind=kind,
                language=recipient.language,
                subject=subject,
                body=body,
                next_attempt_at=now,
                queued_on=today,
            )
            created.append(email.pk)
    return created


def queue_one(
    address: str,
    *,
    kind: str,
    language: str,
    subject: str,
    body: str,
    attachment: bytes | None = None,
    attachment_name: str = "",
) -> int:
    """Queue one message with its own text (e.g. to a partner) and return its id.

    The caller vouches that subject and body carry no case content; an
    attachment must be encrypted to the recipient.
    """
    email = OutboundEmail.objects.create(
        recipient=address,
        kind=kind,
        language=language,
        subject=" ".join(subject.split()),
        body=body,
        attachment=attachment,
        attachment_name=attachment_name,
        next_attempt_at=timezone.now(),
        queued_on=timezone.localdate(),
    )
    return email.pk


def describe(exc: BaseException) -> str:
    """A short account of a failure that carries no address and no secret.

    SMTP replies are reduced to their codes because servers echo addresses
    (and sometimes the login name) in the text.
    """
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _text in exc.recipients.values()})
        return f"{name}: {', '.join(str(code) for code in codes)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{name}: {exc.smtp_code}"
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"{name}: errno {exc.errno} ({exc.strerror})"[:200]
    return name


def _permanent(exc: BaseException) -> bool:
    """A 5xx refusal of the recipient: trying again will not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    return False


def _open(timeout: float | None) -> EmailBackend:
    connection = get_connection(
        SMTP_BACKEND,
        fail_silently=False,
        timeout=settings.EMAIL_TIMEOUT if timeout is None else timeout,
    )
    assert isinstance(connection, EmailBackend)  # noqa: S101  the SMTP backend, always
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        raise ConnectionFailed(describe(exc)) from exc
    return connection


def _send(email: OutboundEmail, connection: EmailBackend) -> None:
    message = EmailMessage(
        email.subject,
        email.body,
        settings.DEFAULT_FROM_EMAIL,
        [email.recipient],
        connection=connection,
        # RFC 3834: no out-of-office replies to an automatic message.
        headers={"Auto-Submitted": "auto-generated"},
    )
    if email.attachment is not None:
        message.attach(
            email.attachment_name or "message.pgp",
            bytes(email.attachment),
            "application/octet-stream",
        )
    message.send()


def _claim(pk: int, now: datetime) -> OutboundEmail | None:
    claimed = OutboundEmail.objects.filter(
        pk=pk, status=Status.QUEUED, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return None  # settled or claimed by another sender meanwhile
    return OutboundEmail.objects.get(pk=pk)


def _settle_sent(email: OutboundEmail) -> None:
    email.status = Status.SENT
    email.sent_on = timezone.localdate()
    email.next_attempt_at = None
    email.attachment = None
    email.save(update_fields=["status", "sent_on", "next_attempt_at", "attachment"])


def _settle_failure(email: OutboundEmail, error: str, now: datetime, *, permanent: bool) -> bool:
    """Record a failed attempt; returns True when the message is given up."""
    email.last_error = error[:200]
    if permanent or email.attempts >= MAX_ATTEMPTS:
        email.status = Status.FAILED
        email.next_attempt_at = None
        logger.error(
            "notification %s (%s) failed after %d attempt(s), not retried: %s",
            email.pk,
            email.kind,
            email.attempts,
            email.last_error,
        )
    else:
        email.next_attempt_at = now + backoff(email.attempts)
        logger.warning(
            "notification %s (%s) attempt %d failed, retrying in %s: %s",
            email.pk,
            email.kind,
            email.attempts,
            backoff(email.attempts),
            email.last_error,
        )
    email.save(update_fields=["status", "next_attempt_at", "last_error"])
    return email.status == Status.FAILED


def deliver_due(
    *,
    now: datetime | None = None,
    limit: int = 500,
    ids: Iterable[int] | None = None,
    timeout: float | None = None,
) -> Delivery:
    """Send the queued messages that are due (optionally only ``ids``).

    One SMTP session serves the whole run. If the server cannot be reached,
    the message being tried is recorded as failed once and the run stops:
    the others keep their turn and their attempt count, and nobody waits for
    a dead server more than once per run.
    """
    now = now or timezone.now()
    result = Delivery()
    due = OutboundEmail.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    candidates = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    connection: EmailBackend | None = None
    try:
        for pk in candidates:
            email = _claim(pk, now)
            if email is None:
                continue
            try:
                connection = connection or _open(timeout)
                _send(email, connection)
            except ConnectionFailed as exc:
                result.count_failure(_settle_failure(email, str(exc), now, permanent=False))
                break
            except (OSError, smtplib.SMTPException) as exc:
                result.count_failure(
                    _settle_failure(email, describe(exc), now, permanent=_permanent(exc))
                )
                if not isinstance(
                    exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused
                ):
                    break  # the session itself broke: leave the rest for the next run
            else:
                _settle_sent(email)
                result.sent += 1
    finally:
        if connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.close()
    return result


def deliver_soon(ids: list[int]) -> None:
    """The attempt made right after a change commits; never raises.

    A failure leaves the messages queued for ``send_notifications``.
    """
    try:
        deliver_due(ids=ids, limit=len(ids), timeout=IMMEDIATE_TIMEOUT)
    except Exception as exc:
        # The caller is someone's request (perhaps a reporter's): it must not
        # fail because mail did.
        logger.error("immediate notification delivery failed: %s", describe(exc))


def requeue_failed() -> int:
    """Give every failed message a fresh set of attempts."""
    return OutboundEmail.objects.filter(status=Status.FAILED).update(
        status=Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )


def purge_sent() -> int:
    """Delete sent messages older than KEEP_SENT; returns how many."""
    cutoff = timezone.localdate() - KEEP_SENT
    deleted, _by_model = OutboundEmail.objects.filter(
        status=Status.SENT, sent_on__lt=cutoff
    ).delete()
    return deleted
