from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import Invitation, Role, User
from amparo.accounts.usernames import UsernameError, check_new_username
from amparo.crypto import InvalidRecoveryKey, normalize_recovery_key

CODE_HELP = _("The 6-digit code shown by your authenticator app.")


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    code = forms.CharField(
        label=_("Security code"),
        max_length=12,
        help_text=CODE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class NewPasswordMixin(forms.Form):
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A few unrelated words make a strong password."),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def password_user(self) -> User | None:
        return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second:
            if first != second:
                self.add_error("new_password2", _("The two passwords do not match."))
            else:
                try:
                    password_validation.validate_password(first, self.password_user())
                except forms.ValidationError as error:
                    self.add_error("new_password1", error)
        return cleaned


class RecoveryKeyField(forms.CharField):
    def clean(self, value: Any) -> str:
        text = super().clean(value)
        try:
            return normalize_recovery_key(text)
        except InvalidRecoveryKey:
            raise forms.ValidationError(
                _("This is not a valid recovery key. It has 28 letters and digits."),
                code="invalid",
            ) from None


class EnrolForm(NewPasswordMixin):
    recovery_key_confirmation = RecoveryKeyField(
        label=_("Type your recovery key"),
        max_length=80,
        help_text=_("Copy it from your written note, to show that you have kept it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(label=_("Security code"), max_length=12, help_text=CODE_HELP)

    def __init__(self, *args: Any, username: str, recovery_key: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.username = username
        self.recovery_key = recovery_key

    def password_user(self) -> User | None:
        return User(username=self.username)

    def clean_recovery_key_confirmation(self) -> str:
        typed: str = self.cleaned_data["recovery_key_confirmation"]
        if typed != normalize_recovery_key(self.recovery_key):
            raise forms.ValidationError(
                _("This does not match the recovery key shown on this page."), code="mismatch"
            )
        return typed


class PasswordChangeForm(NewPasswordMixin):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args: Any, user: User, limited: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.limited = limited

    def password_user(self) -> User | None:
        return self.user

    def clean_old_password(self) -> str:
        password: str = self.cleaned_data["old_password"]
        if self.limited:
            # Not even checked: the answer would tell whether it was right.
            raise forms.ValidationError(
                _("Too many attempts. Please wait 15 minutes and try again."), code="limited"
            )
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your current password is not right."), code="wrong")
        return password


class RecoverForm(NewPasswordMixin):
    username = forms.CharField(label=_("Username"), max_length=150)
    recovery_key = RecoveryKeyField(
        label=_("Recovery key"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(label=_("Security code"), max_length=12, help_text=CODE_HELP)
    field_order = ["username", "recovery_key", "code", "new_password1", "new_password2"]

    def password_user(self) -> User | None:
        return User(username=self.cleaned_data.get("username", ""))


class InvitationForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_(
            "Letters of one alphabet, digits and @ . + - _. Stored in lower case: "
            "“Ana” and “ana” are the same name."
        ),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The handler and coordinator roles open cases: they take effect only once a "
            "coordinator other than you confirms them, after the person has enrolled."
        ),
    )

    def clean_username(self) -> str:
        typed: str = self.cleaned_data["username"]
        taken = set(User.objects.values_list("username", flat=True))
        taken |= set(
            Invitation.objects.filter(
                used_at__isnull=True, expires_at__gt=timezone.now()
            ).values_list("username", flat=True)
        )
        try:
            username = check_new_username(typed, taken)
        except UsernameError as error:
            messages = {
                "invalid": _("Use letters, digits and @ . + - _ only."),
                "mixed": _("Use the letters of one alphabet only, not a mix."),
                "confusable": _("This username looks too much like one already in use."),
            }
            raise forms.ValidationError(messages[error.code], code=error.code) from None
        if username in taken:
            raise forms.ValidationError(_("This username is already in use."), code="taken")
        return username


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Giving the handler or coordinator role, or taking the coordinator role away, "
            "waits for the confirmation of a coordinator other than you."
        ),
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.username)


class ShareWithForm(forms.Form):
    """Pick the coordinator who receives copies of the signed-in person's cases."""

    coordinator = PersonChoiceField(
        label=_("Coordinator"), queryset=User.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, sharer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["coordinator"]  # type: ignore[assignment]
        field.queryset = (
            User.objects.filter(is_active=True, is_coordinator=True, public_key__isnull=False)
            .exclude(pk=sharer.pk)
            .order_by("username")
        )
