"""Forms for the referrals pages, by subject: people and their record, the referral journey, assessment and
status changes, the RM2000 calculator.

Choices come from the pure rules (`referrals.rules`), never from copies here, so a page cannot offer a code the
rules do not know. Forms only check the shape of the answers (a date is a real date, an end is after a start);
the services decide what is allowed, and their `ValidationError`s and `DomainConflict`s are put back on the form
by the views so the GOV.UK error summary shows them.
"""
