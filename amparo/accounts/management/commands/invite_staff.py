"""Invite a staff member from the command line: how the first administrator
of a new installation is created, through the same enrolment as everyone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation

from amparo.accounts.actions import confirmed_coordinators_exist, do_invite
from amparo.accounts.forms import InvitationForm
from amparo.accounts.models import KEY_ROLES, Role


class Command(BaseCommand):
    help = "Create an invitation and print its enrolment link (shown once, valid 7 days)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            required=True,
            choices=[str(role) for role in Role],
            help="a role to grant; repeat for several",
        )
        parser.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        # The same checks as the administrators' page (format, name not taken).
        form = InvitationForm({"username": options["username"], "roles": options["role"]})
        if not form.is_valid():
            errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
            raise CommandError(errors)
        roles = [Role(r) for r in form.cleaned_data["roles"]]
        # The operator starts a new installation: with no coordinator yet there
        # is nobody to confirm, so the key roles are granted at enrolment. Once
        # coordinators exist, a coordinator confirms, as for any invitation.
        bootstrap = not confirmed_coordinators_exist()
        _invitation, token = do_invite(
            None, form.cleaned_data["username"], roles, confirmed_by_operator=bootstrap
        )
        with translation.override(options["language"]):
            path = reverse("accounts:enrol", args=[token])
        self.stdout.write(f"{settings.AMPARO_BASE_URL}{path}")
        if not bootstrap and KEY_ROLES & set(roles):
            self.stderr.write(
                "The handler and coordinator roles take effect once a coordinator confirms"
                " them (People, while signed in) after the person has enrolled."
            )
