"""Store every username in its one normalised form (NFKC, case-folded).

Sign-in, recovery and the attempt counters now compare that form exactly;
an account stored as "Ana" must become "ana" to be found. Two accounts whose
names become the same stop the migration with their ids: an operator
renames one (they could already not both be told apart at sign-in).
"""

import unicodedata

from django.db import migrations


def normalise(text):
    # A frozen copy of amparo.accounts.usernames.normalize_username.
    folded = unicodedata.normalize("NFKC", text.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Invitation = apps.get_model("accounts", "Invitation")
    seen = {}
    for pk, username in User.objects.order_by("pk").values_list("pk", "username"):
        name = normalise(username)
        if name in seen:
            raise RuntimeError(
                f"accounts {seen[name]} and {pk} have usernames that are the same once "
                "normalised: rename one of them, then migrate again"
            )
        seen[name] = pk
    for pk, username in User.objects.values_list("pk", "username"):
        if normalise(username) != username:
            User.objects.filter(pk=pk).update(username=normalise(username))
    for pk, username in Invitation.objects.values_list("pk", "username"):
        if normalise(username) != username:
            Invitation.objects.filter(pk=pk).update(username=normalise(username))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_two_person_changes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
