from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "amparo.intake"
    label = "intake"

    def ready(self) -> None:
        from amparo.intake import checks

        checks.register()
