"""What the cases app asks of the apps above it (see amparo.core.hooks)."""

from __future__ import annotations

from amparo.cases.models import Case
from amparo.core.hooks import Hook

# Does the reporter of this case consent to be contacted today? Asked before
# every desk message, at the moment of use.
may_contact: Hook[[Case], bool] = Hook("may_contact", provided_by="consent")
