from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "amparo.consent"
    label = "consent"

    def ready(self) -> None:
        from amparo.cases import hooks
        from amparo.consent import reporter, rules
        from amparo.intake import reporter_sections

        hooks.may_contact.provide(rules.may_contact)
        reporter_sections.register(*reporter.SECTIONS)
