"""Partner pages (administrators), the signing key page, and referral pages (the desk).

Every view reaches its object through ``amparo.referrals.access`` or
``amparo.cases.access``; every change is a ``do_*`` action.
"""

from amparo.referrals.views.pages import case_referrals, detail, prepare, queue
from amparo.referrals.views.partners import (
    partner_active,
    partner_add,
    partner_confirm,
    partner_detail,
    partner_edit,
    partner_list,
    signing_key,
)
from amparo.referrals.views.steps import (
    approve,
    cancel,
    download,
    response,
    send_back,
    withdrawal_notice,
)

__all__ = [
    "approve",
    "cancel",
    "case_referrals",
    "detail",
    "download",
    "partner_active",
    "partner_add",
    "partner_confirm",
    "partner_detail",
    "partner_edit",
    "partner_list",
    "prepare",
    "queue",
    "response",
    "send_back",
    "signing_key",
    "withdrawal_notice",
]
