from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demonstration data made through every app's own actions (``manage.py seed_demo``).

    It sits above every other app: it may import them all, and none imports it.
    """

    name = "amparo.demo"
    label = "demo"
