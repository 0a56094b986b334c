"""Date formats where Django's own do not suit the desk (FORMAT_MODULE_PATH).

English follows the Court's British usage, day before month, so that no
date reads differently on either side of the Atlantic: "30 November 2026",
"30 Nov 2026". French, Spanish and Arabic keep Django's formats for their
language; docs/translation.md lists them.
"""
