from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "amparo.consent"
    label = "consent"

    def ready(self) -> None:
        from amparo.cases import hooks, page_sections
        from amparo.consent import desk_sections, reporter, rules
        from amparo.intake import reporter_sections

        hooks.may_contact.provide(rules.may_contact)
        reporter_sections.register(*reporter.SECTIONS)
        page_sections.register(*desk_sections.SECTIONS)
