from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "amparo.consent"
    label = "consent"
