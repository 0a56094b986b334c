from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "amparo.reference"
    label = "reference"
