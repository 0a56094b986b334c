from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "amparo.cases"
    label = "cases"
