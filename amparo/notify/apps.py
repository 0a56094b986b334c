from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "amparo.notify"
    label = "notify"

    def ready(self) -> None:
        from amparo.cases.signals import case_activity
        from amparo.notify import checks, receivers

        case_activity.connect(receivers.on_case_activity, dispatch_uid="amparo.notify")
        checks.register()
