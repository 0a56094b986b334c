from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "amparo.cases"
    label = "cases"

    def ready(self) -> None:
        from amparo.accounts import staff_pages
        from amparo.cases import people

        people.provide()
        # Inbox and search in the staff navigation (amparo/accounts/staff_pages.py).
        staff_pages.register(
            staff_pages.Entry("cases.nav", "nav", "cases/nav_links.html", order=10)
        )

        from django.contrib.auth.signals import user_logged_out

        from amparo.cases import search_index

        def drop_index(sender: object, user: object = None, **kwargs: object) -> None:
            if user is not None:
                search_index.on_sign_out(user)

        user_logged_out.connect(drop_index, weak=False, dispatch_uid="cases.search_index.sign_out")
