from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "amparo.consent"
    label = "consent"

    def ready(self) -> None:
        from amparo.cases import hooks
        from amparo.consent import rules

        hooks.may_contact.provide(rules.may_contact)
