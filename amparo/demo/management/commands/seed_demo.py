"""Create N synthetic cases for demonstrations and benchmarks (refused in production).

Every case goes through the code paths real ones take: ``do_create_case``
(or ``do_enter_on_behalf``) encrypts and seals it and writes its audit event,
``do_add_message`` adds the conversation, ``store_attachment`` encrypts the
files, and the desk's ``do_assign``, ``do_change_stage`` and ``do_code_case``
assign, move and code it. Nothing is written around them.

Three things differ from real use, on purpose:

- Only a few cases get a receipt (``--receipts``, printed at the end so the
  reporter's follow-up page can be shown): stretching one costs about a
  second of Argon2id, which would dominate seeding.
- Reporters "write" on cases without a receipt too, which a real reporter
  could not; it gives the inbox realistic unread counts.
- The cases are spread over the past two years: every action that records
  a day takes it as ``today=`` (received, messages, files, last activity,
  assessments, measures), and the seeder passes the simulated one. Only days
  move; the audit log keeps real times, so its chain stays in order.

The narratives are built from a handful of templates per language and small
lists of invented names and organisations; any likeness to real people is
accidental. Notifications are paused while seeding.
"""

from __future__ import annotations

import datetime
import io
import multiprocessing
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from amparo.accounts.management.commands.seed_demo_desk import DEMO_PASSWORD, ensure_demo_staff
from amparo.accounts.models import User
from amparo.cases.actions.coding import CodingValues, do_code_case
from amparo.cases.actions.create import ConsentChoice, NewCase, do_create_case, do_enter_on_behalf
from amparo.cases.actions.desk import do_add_message, do_change_stage
from amparo.cases.actions.keys import do_assign
from amparo.cases.files import discard, store_attachment
from amparo.cases.models import Case, ConsentScope, Sender, Stage, Urgency
from amparo.cases.vault import OpenCase
from amparo.consent import rules as consent_rules
from amparo.crypto import unwrap_with_password
from amparo.demo.data import (
    CONTACT,
    DESK_MESSAGES,
    EVENTS,
    FIRST_NAMES,
    LAST_NAMES,
    MONTHS,
    NARRATIVES,
    ORGANISATIONS,
    PLACES,
    REASONS,
    REPORTER_MESSAGES,
    RESPONSIBLE,
)
from amparo.intake import questionnaire
from amparo.lib.binary import as_bytes
from amparo.notify.receivers import paused
from amparo.protection import demo as protection_demo
from amparo.reference import api as reference
from amparo.reference.models import Situation
from amparo.referrals import demo as referrals_demo
from amparo.reports import demo as reports_demo

#: The answers below follow the questionnaire intake ships.
QUESTIONNAIRE_VERSION = questionnaire.SHIPPED_VERSION
LANGUAGES = ("en", "fr", "es", "ar")
DAYS_BACK = 730

#: Target stage and how often; each is reached through the workflow's own moves.
STAGE_WEIGHTS: list[tuple[Stage, int]] = [
    (Stage.RECEIVED, 12),
    (Stage.ACKNOWLEDGED, 12),
    (Stage.UNDER_ASSESSMENT, 16),
    (Stage.NOT_A_REPRISAL, 5),
    (Stage.DUPLICATE, 3),
    (Stage.ASSESSED, 10),
    (Stage.RESPONSE_IN_PROGRESS, 14),
    (Stage.MONITORING, 10),
    (Stage.CLOSED, 18),
]
PATHS: dict[Stage, list[Stage]] = {
    Stage.RECEIVED: [],
    Stage.ACKNOWLEDGED: [Stage.ACKNOWLEDGED],
    Stage.UNDER_ASSESSMENT: [Stage.ACKNOWLEDGED, Stage.UNDER_ASSESSMENT],
    Stage.NOT_A_REPRISAL: [Stage.ACKNOWLEDGED, Stage.UNDER_ASSESSMENT, Stage.NOT_A_REPRISAL],
    Stage.DUPLICATE: [Stage.ACKNOWLEDGED, Stage.DUPLICATE],
    Stage.ASSESSED: [Stage.ACKNOWLEDGED, Stage.UNDER_ASSESSMENT, Stage.ASSESSED],
    Stage.RESPONSE_IN_PROGRESS: [
        Stage.ACKNOWLEDGED,
        Stage.UNDER_ASSESSMENT,
        Stage.ASSESSED,
        Stage.RESPONSE_IN_PROGRESS,
    ],
    Stage.MONITORING: [
        Stage.ACKNOWLEDGED,
        Stage.UNDER_ASSESSMENT,
        Stage.ASSESSED,
        Stage.RESPONSE_IN_PROGRESS,
        Stage.MONITORING,
    ],
    Stage.CLOSED: [
        Stage.ACKNOWLEDGED,
        Stage.UNDER_ASSESSMENT,
        Stage.ASSESSED,
        Stage.RESPONSE_IN_PROGRESS,
        Stage.CLOSED,
    ],
}
NEEDS_REASON = {Stage.NOT_A_REPRISAL, Stage.CLOSED}
CODED_FROM = {Stage.RECEIVED, Stage.ACKNOWLEDGED}  # coded sometimes; later stages always


# --- The seeder -------------------------------------------------------------------------


@dataclass
class Vocabulary:
    reprisal_types: list[str]
    targets: list[str]
    profiles: list[str]
    engagement: list[str]
    perpetrators: list[str]
    involvement: list[str]
    confidence: list[str]
    situations: set[str]

    @classmethod
    def load(cls) -> Vocabulary:
        def codes(list_code: str) -> list[str]:
            return [code for code, _label in reference.choices(list_code, language="en")]

        return cls(
            reprisal_types=codes("reprisal_type"),
            targets=codes("target"),
            profiles=codes("defender_profile"),
            engagement=codes("engagement"),
            perpetrators=codes("perpetrator"),
            involvement=codes("involvement"),
            confidence=codes("confidence"),
            situations=set(Situation.objects.values_list("code", flat=True)),
        )


class Seeder:
    """Creates cases one by one; each case draws from its own seeded generator, so
    its content depends only on ``--seed`` and its number, however many workers run."""

    def __init__(self, seed: int, *, coordinator: User, handler: User) -> None:
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311  invented content, not secrets
        self.coordinator = coordinator
        self.coordinator_key = unwrap_with_password(
            as_bytes(coordinator.private_key_by_password), DEMO_PASSWORD
        )
        self.handler = handler
        self.vocabulary = Vocabulary.load()
        self.today = timezone.localdate()
        self.originals: list[Case] = []  # recent cases a duplicate may point to
        self.receipts: list[tuple[str, str]] = []

    # -- one case --

    def days(self, count: int) -> list[datetime.date]:
        """The days the cases were received, oldest first."""
        offsets = sorted((self.rng.randrange(DAYS_BACK) for _ in range(count)), reverse=True)
        return [self.today - datetime.timedelta(days=offset) for offset in offsets]

    def later(self, day: datetime.date, most: int) -> datetime.date:
        return min(day + datetime.timedelta(days=self.rng.randint(0, most)), self.today)

    def answers(self, language: str, received: datetime.date) -> tuple[dict[str, Any], str, str]:
        rng = self.rng
        place, country, situation = rng.choice(PLACES[language])
        name = f"{rng.choice(FIRST_NAMES[language])} {rng.choice(LAST_NAMES[language])}"
        happened = received - datetime.timedelta(days=rng.randint(1, 60))
        month_name = MONTHS[language].split()[happened.month - 1]
        when_text = f"{happened.day} {month_name} {happened.year}"
        narrative = rng.choice(NARRATIVES[language]).format(
            when=when_text,
            place=place,
            name=name,
            org=rng.choice(ORGANISATIONS[language]),
            event=rng.choice(EVENTS[language]),
        )
        reporting_for = rng.choice(
            ["self", "self", "self", "relative", "colleague", "organisation"]
        )
        answers: dict[str, Any] = {
            "reporting_for": reporting_for,
            "what_happened": narrative,
            "when": happened.isoformat() if rng.random() < 0.6 else happened.strftime("%Y-%m"),
            "country": country,
            "place": place,
            "targeted": name,
            "responsible": rng.choice(RESPONSIBLE[language]),
            "engagement": rng.sample(self.vocabulary.engagement, k=rng.randint(1, 2)),
        }
        if reporting_for != "self":
            answers["others_aware"] = rng.choice(["yes", "no", "cannot_ask"])
        if rng.random() < 0.6:  # the rest report anonymously
            answers["name"] = name
            answers["contact"] = rng.choice(CONTACT[language])
        if rng.random() < 0.4:
            answers["organisation"] = rng.choice(ORGANISATIONS[language])
        return answers, country, situation

    def consents(self) -> list[ConsentChoice]:
        definition = questionnaire.shipped_definition()

        def choice(scope: str, granted: bool) -> ConsentChoice:
            wording = questionnaire.consent_wording_version(definition, scope)
            return ConsentChoice(scope, granted, wording)

        return [
            choice(ConsentScope.STORE, True),
            choice(ConsentScope.CONTACT, self.rng.random() < 0.85),
            choice(ConsentScope.STATISTICS, self.rng.random() < 0.7),
        ]

    def create(self, day: datetime.date, *, with_receipt: bool) -> tuple[NewCase, str, str]:
        rng = self.rng
        language = rng.choices(LANGUAGES, weights=[3, 3, 3, 2])[0]
        answers, country, situation = self.answers(language, day)
        urgency = Urgency.URGENT if rng.random() < 0.08 else Urgency.NORMAL
        common: dict[str, Any] = {
            "answers": answers,
            "language": language,
            "questionnaire_version": QUESTIONNAIRE_VERSION,
            "urgency": urgency,
            "consents": self.consents(),
            "with_receipt": with_receipt,
            "today": day,
        }
        if rng.random() < 0.08:  # taken by phone or in person
            entered_by = rng.choice([self.handler, self.coordinator])
            created = do_enter_on_behalf(entered_by, **common)
        else:
            created = do_create_case(**common)
        if created.receipt:
            self.receipts.append((created.case.reference, created.receipt))
        return created, country, situation

    def converse(self, opened: OpenCase, handler: User, day: datetime.date, count: int) -> None:
        """``count`` messages, alternating desk and reporter, the desk first."""
        rng = self.rng
        language = opened.case.language
        for turn in range(count):
            day = self.later(day, 6)
            if turn % 2 == 0:
                if not consent_rules.allows(opened.case, ConsentScope.CONTACT, on=day):
                    continue  # the reporter did not agree to be contacted
                do_add_message(
                    opened,
                    sender=Sender.DESK,
                    text=rng.choice(DESK_MESSAGES[language]),
                    author=handler,
                    expected_version=opened.case.version,
                    today=day,
                )
            else:
                message = do_add_message(
                    opened,
                    sender=Sender.REPORTER,
                    text=rng.choice(REPORTER_MESSAGES[language]),
                    today=day,
                )
                if rng.random() < 0.15:
                    self.attach(opened, message, day)

    def attach(self, opened: OpenCase, message: Any, day: datetime.date) -> None:
        if self.rng.random() < 0.5:
            source, name, kind = demo_png(self.rng), "photo.png", "image/png"
        else:
            text = "\n".join(self.rng.sample(REPORTER_MESSAGES[opened.case.language], k=2))
            source, name, kind = io.BytesIO(text.encode()), "notes.txt", "text/plain"
        attachment = store_attachment(
            opened,
            source,
            name=name,
            content_type=kind,
            scrubbed=True,
            message=message,
            today=day,
        )
        try:
            with transaction.atomic():
                attachment.save()
        except BaseException:
            discard([attachment])
            raise

    def code(self, case: Case, actor: User, country: str, situation: str) -> None:
        rng, vocabulary = self.rng, self.vocabulary
        month = case.received_on.replace(day=1)
        values = CodingValues(
            reprisal_types=rng.sample(vocabulary.reprisal_types, k=rng.randint(1, 3)),
            target=rng.choice(vocabulary.targets),
            defender_profiles=rng.sample(vocabulary.profiles, k=rng.randint(1, 2)),
            situation=situation if situation in vocabulary.situations else "",
            engagement=rng.sample(vocabulary.engagement, k=rng.randint(1, 2)),
            country=country,
            region=reference.region_for(country),
            month=month,
            perpetrators=[
                (
                    rng.choice(vocabulary.perpetrators),
                    rng.choice(vocabulary.involvement),
                    rng.choice(vocabulary.confidence),
                )
                for _ in range(rng.randint(1, 2))
            ],
        )
        do_code_case(actor, case, values, expected_version=None)

    def one(self, number: int, day: datetime.date, *, with_receipt: bool) -> None:
        rng = self.rng = random.Random(f"{self.seed}/{number}")  # noqa: S311
        created, country, situation = self.create(day, with_receipt=with_receipt)
        case, opened = created.case, created.opened
        target = rng.choices([s for s, _w in STAGE_WEIGHTS], [w for _s, w in STAGE_WEIGHTS])[0]
        if target == Stage.DUPLICATE and not self.originals:
            target = Stage.UNDER_ASSESSMENT

        # Who has it: most cases past "received" are assigned.
        assignee: User | None = None
        if target != Stage.RECEIVED or rng.random() < 0.3:
            assignee = rng.choices([self.handler, self.coordinator, None], [55, 30, 15])[0]
        if assignee is not None:
            day = self.later(day, 2)
            do_assign(
                self.coordinator,
                self.coordinator_key,
                case,
                assignee,
                expected_version=case.version,
                today=day,
            )
        actor = assignee or self.coordinator

        # A first exchange with the reporter, then the workflow, then more talk.
        if target != Stage.RECEIVED and rng.random() < 0.5:
            self.converse(opened, actor, day, rng.randint(1, 2))
            day = case.last_activity_on
        for stage in PATHS[target]:
            day = self.later(day, 10)
            reason = rng.choice(REASONS[case.language]) if stage in NEEDS_REASON else ""
            original = rng.choice(self.originals) if stage == Stage.DUPLICATE else None
            if stage == Stage.ASSESSED:  # the move needs a current risk assessment
                protection_demo.assess(opened, actor, rng, today=day)
            elif stage == Stage.RESPONSE_IN_PROGRESS:
                protection_demo.plan(opened, actor, rng, carry_out=target != stage, today=day)
            do_change_stage(
                opened,
                # A coordinator sees every case, so may point at any original.
                self.coordinator if original else actor,
                stage,
                expected_version=case.version,
                reason=reason,
                original=original,
                yearly_follow_up=stage == Stage.CLOSED and rng.random() < 0.3,
                today=day,
            )
        if target not in CODED_FROM or rng.random() < 0.2:
            day = self.later(day, 5)
            self.code(case, actor, country, situation)
        if rng.random() < 0.35:
            self.converse(opened, actor, day, rng.randint(1, 3))
        elif rng.random() < 0.05:
            self.attach(opened, None, day)

        if target != Stage.DUPLICATE:
            self.originals = [*self.originals[-199:], case]

    # -- the run --

    def run(
        self,
        numbers: Iterable[int],
        days: list[datetime.date],
        receipt_from: int,
        done: Callable[[], None],
    ) -> None:
        """Create the cases ``numbers`` (indexes into ``days``), each action
        committing on its own as in real use."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Demo data: losing the last few commits in a crash costs nothing,
                # and not waiting for the disk after each one triples the pace.
                cursor.execute("SET synchronous_commit TO OFF")
        with paused():
            for number in numbers:
                self.one(number, days[number], with_receipt=number >= receipt_from)
                done()


def demo_png(rng: random.Random) -> io.BytesIO:
    """A small picture of coloured blocks, generated here (no metadata to scrub)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 64), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y = rng.randrange(80), rng.randrange(48)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle((x, y, x + rng.randint(8, 30), y + rng.randint(8, 20)), fill=colour)
    data = io.BytesIO()
    image.save(data, format="PNG")
    data.seek(0)
    return data


class Command(BaseCommand):
    help = "Create N synthetic cases through the desk's own actions. Never runs in production."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, default=50, help="How many cases (default 50).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--receipts",
            type=int,
            default=3,
            help="How many of the newest cases get a reporter receipt, printed at the end "
            "(default 3; each costs about a second of key stretching).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="Processes creating cases at once (default: 2 on PostgreSQL, 1 on SQLite, "
            "which has a single writer).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, receipts = options["cases"], options["receipts"]
        if count < 0 or receipts < 0:
            raise CommandError("--cases and --receipts must not be negative")
        workers = options["workers"] or (2 if connection.vendor == "postgresql" else 1)
        ensure_demo_staff()  # refuses in production
        referrals_demo.ensure_demo_partners(User.objects.get(username="admin"))
        seeder = Seeder(
            options["seed"],
            coordinator=User.objects.get(username="coordinator"),
            handler=User.objects.get(username="handler"),
        )
        days = seeder.days(count)
        receipt_from = count - min(receipts, count)  # the newest: likeliest to be followed up
        started = time.monotonic()

        def progress(done: int) -> None:
            if done % 1000 == 0 and done:
                elapsed = time.monotonic() - started
                self.stdout.write(f"seed_demo: {done}/{count} cases ({elapsed:.0f} s)")

        if workers == 1 or count < 2 * workers:
            created = 0

            def one_done() -> None:
                nonlocal created
                created += 1
                progress(created)

            seeder.run(range(count), days, receipt_from, one_done)
            found = seeder.receipts
        else:
            found = self.in_processes(seeder, workers, days, receipt_from, progress)

        elapsed = time.monotonic() - started
        rate = count / elapsed if elapsed else 0.0
        self.stdout.write(f"seed_demo: created {count} cases in {elapsed:.1f} s ({rate:.1f}/s)")
        # An annual report waiting for approval: the coordinator can try approving it.
        reports_demo.ensure_demo_report(User.objects.get(username="analyst"))
        if found:
            self.stdout.write("Follow-up codes of demo reports (demo only):")
            for reference_code, receipt in sorted(found):
                self.stdout.write(f"  {reference_code}  {receipt}")

    def in_processes(
        self,
        seeder: Seeder,
        workers: int,
        days: list[datetime.date],
        receipt_from: int,
        progress: Callable[[int], None],
    ) -> list[tuple[str, str]]:
        """Run ``workers`` forked processes, each creating every ``workers``-th case.

        The audit chain's lock is held only while an action appends its event
        and commits, so the processes overlap everything else (encryption,
        the ORM, the round trips).
        """
        context = multiprocessing.get_context("fork")
        counter = context.Value("i", 0)
        results = context.SimpleQueue()

        def work(offset: int) -> None:
            def done() -> None:
                with counter.get_lock():
                    counter.value += 1

            seeder.run(range(offset, len(days), workers), days, receipt_from, done)
            results.put(seeder.receipts)
            connections.close_all()

        connections.close_all()  # a forked child must open its own connection
        processes = [context.Process(target=work, args=(offset,)) for offset in range(workers)]
        for process in processes:
            process.start()
        reported = 0
        while any(process.is_alive() for process in processes):
            processes[0].join(timeout=0.5)
            done = counter.value
            for mark in range(reported + 1000 - reported % 1000, done + 1, 1000):
                progress(mark)
            reported = max(reported, done)
            if any(process.exitcode not in (None, 0) for process in processes):
                for process in processes:
                    process.terminate()
                raise CommandError("a seeding process failed; see its error above")
        found: list[tuple[str, str]] = []
        for _process in processes:
            found += results.get()
        return found
