from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "amparo.consent"
    label = "consent"

    def ready(self) -> None:
        from amparo.consent import rules
        from amparo.core import hooks

        hooks.provide("may_contact", rules.may_contact)
