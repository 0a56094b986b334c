"""Signals other apps listen to, so that the case code need not know them.

``case_activity`` is sent after a change has committed (send it from
``transaction.on_commit``) with ``case`` and ``kind``, one of ACTIVITY_KINDS.
Receivers must never put case content anywhere (e.g. into an e-mail).

``statistics_facts_changed`` is sent inside the change's transaction, with
``case``, whenever something statistics count of a case may have changed:
its coding, its stage, or its content shredded (amparo/reports/counted.py
keeps the statistics table in step with it).
"""

from django.dispatch import Signal

ACTIVITY_KINDS = ("new_case", "reporter_message", "assigned", "stage_changed")

case_activity = Signal()
statistics_facts_changed = Signal()
