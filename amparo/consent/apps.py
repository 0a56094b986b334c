from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "amparo.consent"
    label = "consent"

    def ready(self) -> None:
        from amparo.consent import reporter
        from amparo.intake import reporter_sections

        reporter_sections.register(*reporter.SECTIONS)
