"""The role matrix: every desk view, for every role.

Anonymous visitors are sent to sign in; analysts and administrators (who
hold no handler role) are refused every desk page; a handler who is not
assigned to a case gets the same 404 as for a case that does not exist; the
assigned handler may do everything but assign; coordinators may do all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amparo.cases.models import Attachment, Case
from amparo.cases.tests.base import DeskTestCase, add_file, make_case
from amparo.cases.tests.test_files import PNG


@dataclass
class View:
    name: str
    method: str
    path: Callable[[Case, Attachment], str]
    data: Callable[[Case, Any], dict[str, Any]] | None = None
    on_case: bool = True
    coordinator_only: bool = False


def _case(suffix: str) -> Callable[[Case, Attachment], str]:
    return lambda case, _file: f"/en/staff/cases/{case.public_id}/{suffix}"


VIEWS = [
    View("inbox", "get", lambda _c, _f: "/en/staff/cases/", on_case=False),
    View("search", "get", lambda _c, _f: "/en/staff/cases/search/?q=followed", on_case=False),
    View("enter", "get", lambda _c, _f: "/en/staff/cases/new/", on_case=False),
    View("detail", "get", _case("")),
    View("coding", "get", _case("coding/")),
    View("download", "get", lambda c, f: f"/en/staff/cases/{c.public_id}/files/{f.public_id}/"),
    View(
        "preview",
        "get",
        lambda c, f: f"/en/staff/cases/{c.public_id}/files/{f.public_id}/preview/",
    ),
    View(
        "message", "post", _case("message/"), lambda c, _t: {"text": "Hello", "version": c.version}
    ),
    View("note", "post", _case("note/"), lambda c, _t: {"text": "Noted", "version": c.version}),
    View(
        "stage",
        "post",
        _case("stage/"),
        lambda c, _t: {"to": "acknowledged", "version": c.version},
    ),
    View(
        "link",
        "post",
        _case("link/"),
        lambda c, t: {"reference": t.other.reference, "version": c.version},
    ),
    View(
        "coding-save",
        "post",
        _case("coding/"),
        lambda _c, _t: {
            "reprisal_types": ["threats.death_threat"],
            "country": "KE",
            "version": "",
            "perpetrators-TOTAL_FORMS": "0",
            "perpetrators-INITIAL_FORMS": "0",
        },
    ),
    View(
        "assign",
        "post",
        _case("assign/"),
        lambda c, t: {"assignee": t.outsider.user.pk, "version": c.version},
        coordinator_only=True,
    ),
]

OK = {"get": 200, "post": 302}


class RoleMatrixTests(DeskTestCase):
    def expected(self, persona: str, view: View) -> int:
        if persona == "anonymous":
            return 302
        if persona in ("analyst", "administrator"):
            return 403
        if persona == "outsider" and view.on_case:
            return 404
        if persona == "handler" and view.coordinator_only:
            return 403
        return OK[view.method]

    def test_it_applies_the_role_matrix_to_every_view(self) -> None:
        personas = ["anonymous", "coordinator", "handler", "outsider", "analyst", "administrator"]
        for view in VIEWS:
            for persona in personas:
                with self.subTest(view=view.name, persona=persona):
                    created = make_case("They followed me home")
                    case = self.assign(created.case, self.handler)
                    self.other = self.assign(make_case().case, self.handler)
                    image = add_file(created.opened, PNG, name="p.png", content_type="image/png")
                    case.refresh_from_db()
                    self.client.logout()
                    if persona != "anonymous":
                        self.sign_in(getattr(self, persona))
                    path = view.path(case, image)
                    if view.method == "get":
                        response = self.client.get(path)
                    else:
                        assert view.data is not None
                        response = self.client.post(path, view.data(case, self))
                    expected = self.expected(persona, view)
                    self.assertEqual(response.status_code, expected)
                    if expected == 302 and persona == "anonymous":
                        self.assertIn("/staff/login/", response["Location"])
                    if persona == "outsider" and not view.on_case:
                        # Pages open to every handler show nothing of others' cases.
                        self.assertNotContains(response, case.reference)

    def test_it_treats_a_missing_case_like_a_forbidden_one_on_every_view(self) -> None:
        created = make_case()
        image = add_file(created.opened, PNG, name="p.png", content_type="image/png")
        ghost = Case(public_id="x" * 22)
        self.sign_in(self.coordinator)
        for view in VIEWS:
            if not view.on_case:
                continue
            with self.subTest(view=view.name):
                path = view.path(ghost, image)
                data = {"version": 1} if view.method == "post" else None
                response = getattr(self.client, view.method)(path, data)
                self.assertEqual(response.status_code, 404)
