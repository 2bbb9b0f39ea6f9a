"""The load test's mix (issue 11) as data: every GET the virtual users make, by role, with its weight.

Shared by `locustfile.py` (which drives it) and `profile.py` (which requests each entry once in-process), and
checked by tests/platform/test_loadtest_routes.py: every list page and list endpoint of the URLconf (a page named
`*list` or in `PAGE_LISTS`, an API view with a `list` action) must be requested here, so the mix stays complete
as the product grows. `{key}` in a path takes one of the user's records from `manage.py loadtest_fixture`
(`people`, `referrals`, `groups`, `plans`, `memberships`, `reports`, `downloads`, `registers`, `feed`,
`facilitators`, `offender_managers`).

Each entry: (role, weight, request name, path, URL name). The request name is the row of the results table.
"""

from __future__ import annotations

OM, TM, FAC, ADMIN = "offender_manager", "treatment_manager", "facilitator", "area_admin"
EVERY = (OM, TM, FAC, ADMIN)

# Pages that list rows but are not named `*list` (the test adds them to what must be covered).
PAGE_LISTS = frozenset(
    {
        "home",
        "accounts:staff_deactivated",
        "programme_sessions:my_calendar",
        "quality:statistics",
        "quality:recordings",
        "quality:facilitator_record",
        "assessments:results",
        "programme_sessions:group_detail",
        "programme_sessions:plan_detail",
        "programme_sessions:session_register",
    }
)

Entry = tuple[str, int, str, str, str]

MIX: list[Entry] = [
    # Every role: home, floor, notifications, attention lists.
    *[(role, 3, "ping", "/ping/", "ping") for role in EVERY],
    *[(role, 2, f"home {role.replace('_', ' ')}", "/", "home") for role in EVERY],
    *[(role, 1, "notifications", "/notifications/", "notifications:list") for role in EVERY],
    *[(role, 1, "api notifications", "/api/v1/notifications/", "api-notification-list") for role in EVERY],
    *[  # the offence table is for referral readers (OMs, TMs, admins): a facilitator is refused (403)
        (
            role,
            1,
            "api offences ?category",
            "/api/v1/offences/?category=contact_sexual_child&active=true",
            "api-offence-list",
        )
        for role in (OM, TM, ADMIN)
    ],
    *[(role, 1, "api tokens", "/api/v1/tokens/", "api-token-list") for role in (TM, ADMIN)],
    (OM, 1, "api notifications ?unread", "/api/v1/notifications/?unread=true", "api-notification-list"),
    # Offender manager.
    (OM, 3, "people", "/people/", "referrals:person_list"),
    (OM, 1, "people ?search", "/people/?search=S", "referrals:person_list"),
    (OM, 3, "person", "/people/{people}/", "referrals:person_detail"),
    (OM, 2, "referrals", "/referrals/", "referrals:referral_list"),
    (OM, 3, "referral", "/referrals/{referrals}/", "referrals:referral_detail"),
    (OM, 2, "api people", "/api/v1/people/", "api-person-list"),
    (OM, 1, "api people ?search", "/api/v1/people/?search=S&has_open_referral=true", "api-person-list"),
    (OM, 1, "api person", "/api/v1/people/{people}/", "api-person-detail"),
    (
        TM,
        1,
        "api people ?offender_manager",
        "/api/v1/people/?offender_manager={offender_managers}",
        "api-person-list",
    ),
    (OM, 2, "api referrals ?status", "/api/v1/referrals/?status=submitted", "api-referral-list"),
    (OM, 1, "api referral", "/api/v1/referrals/{referrals}/", "api-referral-detail"),
    (OM, 1, "api referral history", "/api/v1/referrals/{referrals}/history/", "api-referral-history"),
    (OM, 1, "reports ?new", "/reports/?new=yes", "reports:report_list"),
    (OM, 1, "attention caseload absences", "/needs-attention/caseload-absences/", "attention_list"),
    (OM, 1, "attention enforcement due", "/needs-attention/enforcement-due/", "attention_list"),
    # Treatment manager.
    (TM, 2, "referrals", "/referrals/", "referrals:referral_list"),
    (TM, 2, "referrals ?status", "/referrals/?status=submitted&programme=isotp", "referrals:referral_list"),
    (TM, 3, "referral", "/referrals/{referrals}/", "referrals:referral_detail"),
    (TM, 1, "referrals ?q", "/referrals/?q=Turner", "referrals:referral_list"),
    (TM, 1, "referrals ?sort", "/referrals/?sort=-started", "referrals:referral_list"),
    (TM, 2, "waiting list", "/waiting-list/?programme=isotp&format=group", "referrals:waiting_list"),
    (
        TM,
        1,
        "waiting list ?q",
        "/waiting-list/?programme=isotp&format=group&q=Brown",
        "referrals:waiting_list",
    ),
    (TM, 1, "waiting list ?urgency", "/waiting-list/?urgency=soon", "referrals:waiting_list"),
    (TM, 2, "groups", "/groups/", "programme_sessions:group_list"),
    (TM, 1, "groups ?status", "/groups/?status=running", "programme_sessions:group_list"),
    (TM, 3, "group", "/groups/{groups}/", "programme_sessions:group_detail"),
    (TM, 1, "plans", "/one-to-one-plans/", "programme_sessions:plan_list"),
    (TM, 1, "plan", "/one-to-one-plans/{plans}/", "programme_sessions:plan_detail"),
    (TM, 1, "people", "/people/", "referrals:person_list"),
    (TM, 1, "person", "/people/{people}/", "referrals:person_detail"),
    (TM, 1, "people ?page", "/people/?page=2", "referrals:person_list"),
    (TM, 1, "reports", "/reports/", "reports:report_list"),
    (TM, 1, "reports ?status", "/reports/?status=issued", "reports:report_list"),
    (TM, 1, "report", "/reports/{reports}/", "reports:report_detail"),
    (TM, 1, "report download", "/reports/{downloads}/download/", "reports:version_download"),
    (TM, 1, "psychometric results", "/psychometrics/members/{memberships}/", "assessments:results"),
    (TM, 1, "batteries", "/psychometrics/batteries/", "assessments:battery_list"),
    (TM, 1, "statistics", "/statistics/", "quality:statistics"),
    (
        TM,
        1,
        "statistics ?programme",
        "/statistics/?programme=isotp&start=2025-04-01&end=2026-03-31",
        "quality:statistics",
    ),
    (TM, 1, "statistics ?scope", "/statistics/?scope=national", "quality:statistics"),
    (TM, 1, "recordings", "/quality/recordings/", "quality:recordings"),
    (TM, 1, "transfers", "/transfers/", "transfers:list"),
    (TM, 1, "programmes", "/programmes/", "programme_sessions:programme_list"),
    (TM, 2, "api referrals", "/api/v1/referrals/", "api-referral-list"),
    (
        TM,
        1,
        "api referrals ?programme",
        "/api/v1/referrals/?programme=isotp&format=group",
        "api-referral-list",
    ),
    (TM, 1, "api waiting list", "/api/v1/waiting-list/?programme=isotp&format=group", "api-waiting-list"),
    (TM, 2, "api groups", "/api/v1/groups/", "api-group-list"),
    (TM, 1, "api groups ?status", "/api/v1/groups/?status=running&programme=isotp_group", "api-group-list"),
    (
        TM,
        1,
        "api groups ?starts",
        "/api/v1/groups/?starts_after=2020-01-01&starts_before=2026-12-31",
        "api-group-list",
    ),
    (TM, 1, "api group", "/api/v1/groups/{groups}/", "api-group-detail"),
    (
        TM,
        1,
        "api group sessions",
        "/api/v1/groups/{groups}/sessions/?status=delivered",
        "api-group-session-list",
    ),
    (
        TM,
        1,
        "api group sessions ?date",
        "/api/v1/groups/{groups}/sessions/?date_after=2026-01-01&date_before=2026-12-31",
        "api-group-session-list",
    ),
    (TM, 1, "api group memberships", "/api/v1/groups/{groups}/memberships/", "api-group-membership-list"),
    (TM, 1, "api plans", "/api/v1/one-to-one-plans/", "api-plan-list"),
    (TM, 1, "api plans ?status", "/api/v1/one-to-one-plans/?status=completed", "api-plan-list"),
    (TM, 1, "api plan sessions", "/api/v1/one-to-one-plans/{plans}/sessions/", "api-plan-session-list"),
    (TM, 1, "api staff", "/api/v1/staff/?role=facilitator", "api-staff-list"),
    (TM, 1, "api reports ?status", "/api/v1/reports/?status=issued", "api-report-list"),
    (TM, 1, "api batteries", "/api/v1/batteries/", "api-battery-list"),
    (
        TM,
        1,
        "api psychometric administrations",
        "/api/v1/psychometric-administrations/",
        "api-psychometric-administration-list",
    ),
    (TM, 1, "api statistics", "/api/v1/statistics/?programme=isotp", "api-statistics"),
    (TM, 1, "api transfers", "/api/v1/transfers/", "api-transfer-list"),
    (
        TM,
        1,
        "api programmes ?programme",
        "/api/v1/programmes/?programme=isotp&format=group",
        "api-programme-list",
    ),
    (TM, 1, "attention groups with places", "/needs-attention/groups-with-places/", "attention_list"),
    (FAC, 1, "attention reports to draft", "/needs-attention/reports-to-draft/", "attention_list"),
    (TM, 1, "attention recordings to monitor", "/needs-attention/recordings-to-monitor/", "attention_list"),
    (TM, 1, "attention emails not delivered", "/needs-attention/emails-not-delivered/", "attention_list"),
    # Facilitator.
    (FAC, 3, "my sessions", "/my-sessions/", "programme_sessions:my_calendar"),
    (FAC, 2, "group", "/groups/{groups}/", "programme_sessions:group_detail"),
    (FAC, 1, "groups", "/groups/", "programme_sessions:group_list"),
    (FAC, 2, "api my sessions", "/api/v1/my/sessions/", "api-my-session-list"),
    (FAC, 1, "api my sessions ?status", "/api/v1/my/sessions/?status=scheduled", "api-my-session-list"),
    (FAC, 2, "calendar feed", "/calendar/{feed}.ics", "programme_sessions_feed:ical"),
    (FAC, 2, "register", "/sessions/{registers}/register/", "programme_sessions:session_register"),
    (
        FAC,
        1,
        "api membership catch-ups",
        "/api/v1/memberships/{memberships}/catch-ups/",
        "api-membership-catch-up-list",
    ),
    (FAC, 1, "attention my sessions this week", "/needs-attention/my-sessions-this-week/", "attention_list"),
    (FAC, 1, "attention registers overdue", "/needs-attention/registers-overdue/", "attention_list"),
    # Area administrator.
    (ADMIN, 2, "staff", "/staff/", "accounts:staff_list"),
    (ADMIN, 1, "staff ?role", "/staff/?role=facilitator", "accounts:staff_list"),
    (ADMIN, 1, "staff ?needs", "/staff/?needs=training", "accounts:staff_list"),
    (ADMIN, 1, "staff deactivated", "/staff/deactivated/", "accounts:staff_deactivated"),
    (ADMIN, 1, "facilitator record", "/quality/facilitators/{facilitators}/", "quality:facilitator_record"),
    (ADMIN, 1, "venues", "/venues/", "accounts:venue_list"),
    (ADMIN, 1, "closures", "/closures/", "accounts:closure_list"),
    (ADMIN, 1, "audit", "/audit/", "audit:event_list"),
    (ADMIN, 1, "audit ?action", "/audit/?action=referral.submitted", "audit:event_list"),
    (ADMIN, 1, "programmes", "/programmes/", "programme_sessions:programme_list"),
    (ADMIN, 1, "retention", "/data-protection/retention/", "dataprotection:retention_list"),
    (ADMIN, 1, "api staff", "/api/v1/staff/", "api-staff-list"),
    (ADMIN, 1, "api venues", "/api/v1/venues/", "api-venue-list"),
    (ADMIN, 1, "api closures", "/api/v1/closures/", "api-closure-list"),
    (ADMIN, 1, "api audit events", "/api/v1/audit-events/", "api-audit-event-list"),
    (
        ADMIN,
        1,
        "api audit events ?action",
        "/api/v1/audit-events/?action=referral.submitted",
        "api-audit-event-list",
    ),
    (ADMIN, 1, "api programmes", "/api/v1/programmes/", "api-programme-list"),
    (ADMIN, 1, "attention closures coming up", "/needs-attention/closures-coming-up/", "attention_list"),
]

# Writes and the eligibility check (locustfile.py's own methods), by role: (role, weight, request name, URL name).
WRITES: list[tuple[str, int, str, str]] = [
    (OM, 1, "api eligibility check", "api-eligibility-check"),
    (TM, 1, "api eligibility check", "api-eligibility-check"),
    (FAC, 2, "api register submitted", "api-session-register"),
    (FAC, 1, "register submitted", "programme_sessions:session_register"),
]


def covered_routes() -> set[str]:
    """Every URL name the mix requests."""
    return {entry[4] for entry in MIX} | {write[3] for write in WRITES}


def entries_per_role() -> dict[str, int]:
    """How many entries of the mix (pages, endpoints and writes) each role requests."""
    counts: dict[str, int] = {}
    for role in [entry[0] for entry in MIX] + [write[0] for write in WRITES]:
        counts[role] = counts.get(role, 0) + 1
    return counts


def even_roles(users: int) -> list[str]:
    """The role of each of `users` virtual users when every entry of the mix is to be requested equally often
    (the even mix): each role gets users in proportion to its number of entries (largest remainders, at least one
    user a role), in a smooth order, so that the first users of a small run are spread over the roles too."""
    counts = entries_per_role()
    total = sum(counts.values())
    roles = sorted(counts)
    shares = {role: max(1, users * counts[role] // total) for role in roles}
    by_remainder = sorted(roles, key=lambda role: (-(users * counts[role] % total), role))
    k = 0
    while sum(shares.values()) < users:
        shares[by_remainder[k % len(roles)]] += 1
        k += 1
    order = sorted(
        ((j + 0.5) / shares[role], role) for role in roles for j in range(shares[role])
    )  # a smooth round-robin: position j of a role with n users at (j + 1/2) / n
    smooth = [role for _, role in order]
    # Each role's first user first (a role with many entries would otherwise take two of the first places).
    firsts = sorted(roles, key=smooth.index)
    rest = list(smooth)
    for role in firsts:
        rest.remove(role)
    return firsts + rest
