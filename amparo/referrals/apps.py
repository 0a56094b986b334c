from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "amparo.referrals"
    label = "referrals"

    def ready(self) -> None:
        # Connects the receiver that marks sent referrals when consent is withdrawn.
        from amparo.referrals.actions import responses  # noqa: F401
