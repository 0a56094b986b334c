"""Reporters' deletion requests as a needs-attention list (registered in
OperationsConfig.ready with amparo.cases.attention; answered on the Retention page)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from amparo.cases.attention import AttentionList
from amparo.operations.models import DeletionRequest, RequestStatus

TITLE = _("Deletion requests waiting for an answer")
RULE = _(
    "The reporter asked for the report to be deleted. A coordinator deletes it, or records "
    "why the team keeps it, on the Retention page by the date shown there."
)


def deletion_requested(now: datetime.datetime) -> Q:
    """Cases with a reporter's deletion request that nobody has answered yet."""
    pending = DeletionRequest.objects.filter(case=OuterRef("pk"), status=RequestStatus.PENDING)
    return Q(Exists(pending))


DELETION_REQUESTS = AttentionList("deletion_requests", TITLE, RULE, deletion_requested)
