from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "amparo.operations"
    label = "operations"

    def ready(self) -> None:
        from amparo.cases import attention
        from amparo.operations.attention import DELETION_REQUESTS

        attention.register(DELETION_REQUESTS)
