from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "amparo.operations"
    label = "operations"

    def ready(self) -> None:
        from amparo.accounts import staff_pages
        from amparo.cases import attention
        from amparo.intake import reporter_sections
        from amparo.operations import reporter
        from amparo.operations.attention import DELETION_REQUESTS

        attention.register(DELETION_REQUESTS)
        reporter_sections.register(reporter.SECTION)
        # Retention in the staff navigation (amparo/accounts/staff_pages.py).
        staff_pages.register(
            staff_pages.Entry("operations.nav", "nav", "operations/nav_links.html", order=20)
        )
