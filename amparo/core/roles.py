"""The staff roles, below every app so that models and views anywhere can name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HANDLER = "handler", _("Handler")
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")
