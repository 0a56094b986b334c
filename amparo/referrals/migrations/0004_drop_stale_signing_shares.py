"""Shares of the signing key held by people who are no longer active coordinators.

Before removal destroyed them (signing.do_revoke_shares), a removed coordinator,
or one whose role was taken away, kept their share. They go here; the trail has
no event for it (a migration holds no actor and does not write the chain), so
docs/referrals.md says so.
"""

from django.db import migrations
from django.db.models import Q


def drop_stale_shares(apps, schema_editor):
    SigningKeyShare = apps.get_model("referrals", "SigningKeyShare")
    SigningKeyShare.objects.filter(
        Q(user__is_active=False) | Q(user__is_coordinator=False)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_normalise_usernames"),
        ("referrals", "0003_consent_restrict"),
    ]

    operations = [migrations.RunPython(drop_stale_shares, migrations.RunPython.noop)]
