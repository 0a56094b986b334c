from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "amparo.reports"

    def ready(self) -> None:
        from amparo.cases.signals import statistics_facts_changed
        from amparo.consent.actions import consent_recorded
        from amparo.reports import counted

        # The statistics table follows every change of what it counts.
        statistics_facts_changed.connect(counted.on_facts_changed, dispatch_uid="amparo.reports")
        consent_recorded.connect(counted.on_consent_recorded, dispatch_uid="amparo.reports")
