from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "amparo.operations"
    label = "operations"
