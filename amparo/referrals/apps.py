from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "amparo.referrals"
    label = "referrals"

    def ready(self) -> None:
        from amparo.accounts import hooks as accounts_hooks
        from amparo.accounts import staff_pages
        from amparo.consent import hooks
        from amparo.referrals import partners, signing
        from amparo.referrals.actions import (
            responses,  # noqa: F401  connects the receiver that marks sent referrals when consent is withdrawn
        )

        # The partners a consent to share may name (amparo/consent/hooks.py).
        hooks.sharing_partners.provide(partners.sharing_partners)
        hooks.sharing_partner.provide(partners.sharing_partner)
        hooks.partner_kinds.provide(partners.partner_kinds)
        # A removed coordinator's shares of the desk's signing key go with
        # their access (amparo/accounts/hooks.py).
        accounts_hooks.signing_shares_revoked.provide(signing.do_revoke_shares)
        # ... and the removal pages warn when theirs is the only one left.
        accounts_hooks.holds_only_signing_share.provide(signing.holds_only_share)
        # Referrals and partners in the staff navigation, after statistics
        # (amparo/accounts/staff_pages.py).
        staff_pages.register(
            staff_pages.Entry("referrals.nav", "nav", "referrals/nav_links.html", order=40)
        )
