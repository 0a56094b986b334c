"""The desk's pages: inbox, case page and its forms, attachments, coding,
search, and entering a report on someone's behalf.

Every view reaches a case through ``amparo.cases.access`` (the same 404 for
a case that is missing and one the person may not see), decrypts only
inside the request with the person's own key, and audits what it shows.
"""

from amparo.cases.views.actions import add_note, assign, change_stage, link, send_message
from amparo.cases.views.case import detail
from amparo.cases.views.coding import coding
from amparo.cases.views.entry import enter
from amparo.cases.views.files import download, preview, safe_filename
from amparo.cases.views.inbox import inbox
from amparo.cases.views.search import search

__all__ = [
    "add_note",
    "assign",
    "change_stage",
    "coding",
    "detail",
    "download",
    "enter",
    "inbox",
    "link",
    "preview",
    "safe_filename",
    "search",
    "send_message",
]
