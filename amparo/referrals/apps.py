from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "amparo.referrals"
    label = "referrals"

    def ready(self) -> None:
        from amparo.consent import hooks
        from amparo.referrals import partners
        from amparo.referrals.actions import (
            responses,  # noqa: F401  connects the receiver that marks sent referrals when consent is withdrawn
        )

        # The partners a consent to share may name (amparo/consent/hooks.py).
        hooks.sharing_partners.provide(partners.sharing_partners)
        hooks.sharing_partner.provide(partners.sharing_partner)
        hooks.partner_kinds.provide(partners.partner_kinds)
