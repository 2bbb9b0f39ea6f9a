"""The delivery pages (GOV.UK Design System): catalogue, groups, the question pages that create a group or a
one-to-one plan, allocation from the waiting list, and the facilitator's calendar.

Views are thin: they check the role with `accounts.permissions`, read through the selectors (scoped to the user's
area and role first, so another area's record is a 404) and write through `sessions.services`, showing the rule
codes' plain-English messages in the GOV.UK error summary.
"""
