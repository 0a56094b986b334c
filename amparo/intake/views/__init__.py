"""The public side: landing page, report form, receipt, and the reporter's
follow-up. Everything works without JavaScript.

What a person typed is never lost to a refusal: every failure (bad input,
an expired page, a limit, a database outage) shows the form again with
what they wrote and a plain message. Files cannot be put back into a file
input by any browser, so the page names them and asks for them again.
"""

from amparo.intake.views.checks import FileCheck, check_files, safe_name
from amparo.intake.views.public import landing, quick_exit, thanks
from amparo.intake.views.receipt import received
from amparo.intake.views.reporter import (
    STATUS_TEXT,
    follow_up,
    follow_up_case,
    follow_up_complete,
    follow_up_file,
    follow_up_leave,
)
from amparo.intake.views.submission import danger, report

__all__ = [
    "STATUS_TEXT",
    "FileCheck",
    "check_files",
    "danger",
    "follow_up",
    "follow_up_case",
    "follow_up_complete",
    "follow_up_file",
    "follow_up_leave",
    "landing",
    "quick_exit",
    "received",
    "report",
    "safe_name",
    "thanks",
]
