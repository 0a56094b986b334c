"""Partners and referrals: every change atomic and audited; import from the module:

- ``partners``: adding, changing, confirming and (de)activating partners
- ``approval``: preparing a referral, sending it back, cancelling, approving, the package
- ``responses``: the partner's response, the measure it advances, withdrawn consent
- ``common``: ``ReferralError`` and the text limits

Two people: one prepares a referral, a coordinator who is not the preparer
approves it (or sends it back with a reason). Consent is asked at each step,
at the moment of the step: preparing, approving (again inside the approving
transaction), and whenever consent changes after sending.
"""
