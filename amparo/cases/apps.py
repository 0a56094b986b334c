from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "amparo.cases"
    label = "cases"

    def ready(self) -> None:
        from amparo.cases import people

        people.provide()
