"""Signals other apps listen to, so that the case code need not know them.

``case_activity`` is sent after a change has committed (send it from
``transaction.on_commit``) with ``case`` and ``kind``, one of ACTIVITY_KINDS.
Receivers must never put case content anywhere (e.g. into an e-mail).
"""

from django.dispatch import Signal

ACTIVITY_KINDS = ("new_case", "reporter_message", "assigned", "stage_changed")

case_activity = Signal()
