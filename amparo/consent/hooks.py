"""What the consent app asks of the apps above it (see amparo.core.hooks).

A consent to share names a partner, or a kind of partner; the partners are
kept by amparo.referrals, which sits above consent and provides these.
"""

from __future__ import annotations

from django.db.models import Model

from amparo.core.hooks import Hook

# The partners a consent to share may name now (the active ones), as
# (public id, label) pairs in the order the desk reads them.
sharing_partners: Hook[[], list[tuple[str, str]]] = Hook(
    "sharing_partners", provided_by="referrals"
)
# The active partner with this public id, or None.
sharing_partner: Hook[[str], Model | None] = Hook("sharing_partner", provided_by="referrals")
# The kinds of partner, as (code, label) pairs.
partner_kinds: Hook[[], list[tuple[str, str]]] = Hook("partner_kinds", provided_by="referrals")
