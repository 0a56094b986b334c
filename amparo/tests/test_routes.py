"""Every route, walked from the URL resolver, against the role matrix.

A staff route is refused to anonymous visitors, to reporters in a follow-up
session, and to signed-in staff without one of its roles, by GET and by POST;
a reporter's page sends everyone without a follow-up session to the code
page (or asks for the code there). A new route without a row in
amparo/<app>/tests/routes.py fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from amparo.accounts.models import Role
from amparo.tests.base import AmparoTestCase, Persona, enrol_persona, make_reporter, sign_in
from amparo.tests.routes import Access, role_matrix


def walk(
    patterns: list[URLPattern | URLResolver],
    namespace: str = "",
    converters: dict[str, Any] | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, converters) for every named route, through every include()."""
    for entry in patterns:
        found = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from walk(entry.url_patterns, inner, found)
        elif entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), found


def routes() -> dict[str, str]:
    """Every named route with a URL to request (dummy values for its parameters)."""
    urls = {}
    for name, converters in walk(get_resolver().url_patterns):
        kwargs = {
            key: 1 if isinstance(converter, IntConverter) else "x1"
            for key, converter in converters.items()
        }
        urls[name] = reverse(name, kwargs=kwargs)
    return urls


class RoleMatrixTests(AmparoTestCase):
    only: dict[Role, Persona]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.only = {role: enrol_persona(f"only-{role.value}", [role]) for role in Role}

    def setUp(self) -> None:
        self.matrix = role_matrix()
        self.urls = routes()
        self.login_url = resolve_url(settings.LOGIN_URL)

    def of_kind(self, kind: str) -> dict[str, tuple[str, Access]]:
        return {
            name: (url, self.matrix[name])
            for name, url in self.urls.items()
            if name in self.matrix and self.matrix[name].kind == kind
        }

    def reporter_client(self) -> Client:
        client = self.client_class()
        reporter = make_reporter()
        response = client.post("/en/follow-up/", {"receipt": reporter.receipt})
        self.assertEqual(response.status_code, 302)
        return client

    def assertRefusedAnonymous(self, client: Client, name: str, url: str) -> None:
        refused_by_access = 0
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue
            self.assertEqual(response.status_code, 302, f"{method.upper()} {name}")
            self.assertTrue(
                response["Location"].startswith(self.login_url), f"{method.upper()} {name}"
            )
            refused_by_access += 1
        self.assertTrue(refused_by_access, f"{name}: no method reached the access check")

    def test_every_route_has_exactly_one_row(self) -> None:
        missing = sorted(set(self.urls) - set(self.matrix))
        self.assertEqual(missing, [], "add these routes to their app's tests/routes.py")
        stale = sorted(set(self.matrix) - set(self.urls))
        self.assertEqual(stale, [], "these rows name routes that no longer exist")

    def test_the_walk_finds_the_routes_of_every_app(self) -> None:
        self.assertIn("healthz", self.urls)
        self.assertIn("cases:download", self.urls)
        self.assertIn("intake_staff:questionnaire", self.urls)
        self.assertGreater(len(self.of_kind("staff")), 30)

    def test_staff_routes_refuse_anonymous_visitors(self) -> None:
        for name, (url, _access) in self.of_kind("staff").items():
            with self.subTest(route=name):
                self.assertRefusedAnonymous(self.client, name, url)

    def test_staff_routes_refuse_reporters(self) -> None:
        client = self.reporter_client()
        for name, (url, _access) in self.of_kind("staff").items():
            with self.subTest(route=name):
                self.assertRefusedAnonymous(client, name, url)
        # Still the reporter's session: the refusals did not end it.
        self.assertEqual(client.get("/en/follow-up/report/").status_code, 200)

    def test_staff_routes_refuse_the_wrong_roles(self) -> None:
        for role, persona in self.only.items():
            client = self.client_class()
            sign_in(client, persona)
            for name, (url, access) in self.of_kind("staff").items():
                if not access.roles or role in access.roles:
                    continue
                with self.subTest(route=name, role=role.value):
                    statuses = {client.get(url).status_code, client.post(url).status_code}
                    self.assertLessEqual(statuses, {403, 405})
                    self.assertIn(403, statuses)

    def test_staff_routes_let_their_roles_through(self) -> None:
        # The matrix must say what the code does, not only be stricter: a role
        # it lists reaches the view (which may still answer 404 or 405).
        for role, persona in self.only.items():
            client = self.client_class()
            sign_in(client, persona)
            for name, (url, access) in self.of_kind("staff").items():
                if access.roles and role not in access.roles:
                    continue
                with self.subTest(route=name, role=role.value):
                    response = client.get(url)
                    self.assertNotEqual(response.status_code, 403)
                    if response.status_code == 302:
                        self.assertFalse(response["Location"].startswith(self.login_url))

    def test_reporter_pages_send_everyone_else_to_the_code_page(self) -> None:
        staff_client = self.client_class()
        sign_in(staff_client, self.coordinator)
        for name, (url, _access) in self.of_kind("reporter").items():
            for who, client in (("anonymous", self.client), ("staff", staff_client)):
                with self.subTest(route=name, who=who):
                    sent_away = 0
                    for method in ("get", "post"):
                        response = getattr(client, method)(url)
                        if response.status_code == 405:
                            continue
                        sent_away += 1
                        if response.status_code == 403:
                            # A message posted after the session ran out: kept, and the
                            # code asked for again on the same page.
                            self.assertContains(response, 'name="receipt"', status_code=403)
                            continue
                        self.assertEqual(response.status_code, 302, method)
                        self.assertEqual(response["Location"], reverse("intake:follow_up"))
                    self.assertTrue(sent_away, "no method reached the session check")
