"""Every write to people, their risk and their referrals, by subject.

Each service takes keyword arguments with the acting user first, checks the role (an OM only for their own
caseload; only TMs assess), validates into a Django `ValidationError` keyed by field (400 / form errors), runs in
one `transaction.atomic` block and writes its audit event in the same transaction, so a failure leaves nothing
half-saved. State changes lock the referral row (`select_for_update`) and ask `referrals.rules.check_transition`;
an illegal move raises `DomainConflict(code="ILLEGAL_TRANSITION", allowed=[...])` (409).

Callers import the subject module (`from referrals.services import people`); this package re-exports nothing.
"""
