from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "amparo.reports"

    def ready(self) -> None:
        from amparo.accounts import staff_pages

        # Statistics in the staff navigation and on the desk's home page
        # (amparo/accounts/staff_pages.py), between referrals' and operations' entries.
        staff_pages.register(
            staff_pages.Entry("reports.nav", "nav", "reports/nav_links.html", order=30),
            staff_pages.Entry("reports.home", "home", "reports/home_links.html", order=30),
        )

        from amparo.cases.signals import statistics_facts_changed
        from amparo.consent.actions import consent_recorded
        from amparo.reports import counted

        # The statistics table follows every change of what it counts.
        statistics_facts_changed.connect(counted.on_facts_changed, dispatch_uid="amparo.reports")
        consent_recorded.connect(counted.on_consent_recorded, dispatch_uid="amparo.reports")
