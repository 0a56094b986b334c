"""The staff navigation and the desk's home page show what the apps above
accounts registered (amparo/accounts/staff_pages.py), in the order staff know,
and to whom it was shown before."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from amparo.accounts import staff_pages
from amparo.tests.base import AmparoTestCase, Persona

LINK = re.compile(r"<li><a href=\"([^\"]+)\">([^<]+)</a></li>")


class StaffNavigationTests(AmparoTestCase):
    def nav(self, persona: Persona) -> list[str]:
        self.sign_in(persona)
        page = self.client.get("/en/staff/").content.decode()
        nav = page.split('<nav class="staff-nav"', 1)[1].split("</nav>", 1)[0]
        return [text for _, text in LINK.findall(nav)]

    def home(self, persona: Persona) -> list[str]:
        self.sign_in(persona)
        page = self.client.get("/en/staff/").content.decode()
        body = page.split("<main", 1)[1]
        return [href for href, _ in LINK.findall(body)]

    def test_each_role_sees_the_same_entries_in_the_same_order(self) -> None:
        tail = ["Change password"]
        self.assertEqual(
            self.nav(self.coordinator),
            [
                "Desk",
                "Inbox",
                "Search",
                "Retention",
                "Statistics",
                "Referrals",
                "Audit trail",
                "People",
                *tail,
            ],
        )
        self.assertEqual(self.nav(self.handler), ["Desk", "Inbox", "Search", *tail])
        self.assertEqual(self.nav(self.analyst), ["Desk", "Statistics", *tail])
        self.assertEqual(
            self.nav(self.administrator),
            [
                "Desk",
                "Retention",
                "Partners",
                "People",
                "Invitations",
                "Reference data",
                "Questionnaire",
                "Desk texts",
                *tail,
            ],
        )

    def test_the_home_page_keeps_its_links(self) -> None:
        self.assertIn("/en/staff/statistics/", self.home(self.analyst))
        self.assertNotIn("/en/staff/statistics/", self.home(self.handler))
        self.assertEqual(self.home(self.handler)[0], "/en/staff/cases/")


def test_entries_render_in_the_pages_context_by_order_and_once() -> None:
    before = dict(staff_pages._registered)
    try:
        staff_pages.register(
            staff_pages.Entry("test.late", "home", "accounts/tests_entry.html", order=99),
        )
        names = [entry.name for entry in staff_pages.entries("nav")]
        assert names == ["cases.nav", "operations.nav", "reports.nav", "referrals.nav"]
        assert staff_pages.entries("home")[-1].name == "test.late"
        with pytest.raises(RuntimeError):
            staff_pages.register(
                staff_pages.Entry("test.late", "nav", "accounts/tests_entry.html", order=1)
            )
    finally:
        staff_pages._registered.clear()
        staff_pages._registered.update(before)


def test_an_entry_sees_the_pages_context() -> None:
    class Someone:
        is_coordinator = True
        is_handler = False
        is_administrator = False

    page = Template('{% load staff_pages %}<ul>{% staff_entries "nav" %}</ul>')
    html = page.render(Context({"user": Someone()}))
    assert ">Referrals</a>" in html
    assert "Partners" not in html
