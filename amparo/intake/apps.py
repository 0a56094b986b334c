from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "amparo.intake"
    label = "intake"

    def ready(self) -> None:
        from amparo.intake import checks
        from amparo.intake.filecheck import set_pillow_limit

        checks.register()
        set_pillow_limit()
