from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "amparo.operations"
    label = "operations"

    def ready(self) -> None:
        from amparo.cases import attention
        from amparo.intake import reporter_sections
        from amparo.operations import reporter
        from amparo.operations.attention import DELETION_REQUESTS

        attention.register(DELETION_REQUESTS)
        reporter_sections.register(reporter.SECTION)
