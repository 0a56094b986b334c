"""State changes of cases, each one atomic and audited; import from the module:

- ``create``: a new case (web or entered on behalf), the receipt upgrade
- ``keys``: granting, revoking and assigning (who holds the case key)
- ``desk``: messages, notes, stage changes, links
- ``coding``: the case's coding
- ``reads``: the reads the audit trail records
- ``common``: ``CaseError`` and the version claim the changes share
"""
