"""Reads for the delivery pages and API, by subject: scoped to the user's area and role FIRST, related rows
preloaded, so a page's query count does not grow with its rows.

A facilitator sees only the groups (and one-to-ones) they deliver; an offender manager sees none here (their
view of delivery comes through their referrals). Another area's record is not found (404), never forbidden.
Callers import the subject module (`from sessions.selectors import groups`); this package re-exports nothing.
"""
