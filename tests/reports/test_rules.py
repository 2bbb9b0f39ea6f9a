"""The report rules, table-driven at every boundary (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.rules import (
    ACTIONS,
    ISOTP_TARGETS,
    WORKER_ACTIONS,
    IllegalReportMove,
    ReportKind,
    ReportStatus,
    SessionRecord,
    before_leaving,
    check_move,
    completion_decision,
    kind_for_membership,
    last_attended,
    missing_for_approval,
    separation_of_duties,
    summarise_attendance,
    targets_for,
)

S = ReportStatus

# Written from domain.md §8, independently of the table in the code: (status, action) -> result or refusal code.
EXPECTED = {
    (S.DRAFT, "submit"): S.AWAITING_APPROVAL,
    (S.AWAITING_APPROVAL, "return"): S.DRAFT,
    (S.AWAITING_APPROVAL, "approve"): S.QUEUED,
    (S.QUEUED, "claim"): S.RENDERING,
    (S.RENDERING, "issue"): S.ISSUED,
    (S.RENDERING, "fail"): S.FAILED,
    (S.QUEUED, "fail"): S.FAILED,
    (S.RENDERING, "requeue"): S.QUEUED,
    (S.FAILED, "retry"): S.QUEUED,
    (S.ISSUED, "amend"): S.DRAFT,
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_status_and_action(status, action):
    expected = EXPECTED.get((status, action))
    if expected is not None:
        assert check_move(status, action) == expected
    else:
        with pytest.raises(IllegalReportMove) as refused:
            check_move(status, action)
        assert refused.value.code
        assert action not in refused.value.allowed


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (S.ISSUED, "ALREADY_ISSUED"),
        (S.QUEUED, "ALREADY_ISSUED"),
        (S.RENDERING, "ALREADY_ISSUED"),
        (S.DRAFT, "NOT_AWAITING_APPROVAL"),
        (S.FAILED, "NOT_AWAITING_APPROVAL"),
    ],
)
def test_approving_twice_is_already_issued(status, code):
    with pytest.raises(IllegalReportMove) as refused:
        check_move(status, "approve")
    assert refused.value.code == code


def test_isotp_has_the_six_targets_of_domain_2_3():
    assert [t.code for t in targets_for("isotp")] == [
        "motivation",
        "attitudes",
        "empathy",
        "coping",
        "relationships",
        "relapse_prevention",
    ]
    assert "New Life Plan" in ISOTP_TARGETS[5].title


def test_nsogp_targets_come_from_its_catalogue_entry():
    modules = [{"number": 1, "title": "Block 1"}, {"number": 2, "title": "Block 2"}]
    assert [(t.code, t.title) for t in targets_for("nsogp", modules)] == [
        ("module_1", "Block 1"),
        ("module_2", "Block 2"),
    ]


def _complete(kind):
    return {
        "targets": {t.code: {"rating": "some", "evidence": "seen"} for t in ISOTP_TARGETS},
        "strengths": "a",
        "concerns": "b",
        "relapse_prevention": "c",
        "recommendations": "d",
        "exit_reasons": "e",
    }


def test_a_complete_report_misses_nothing():
    assert missing_for_approval(ReportKind.POST_PROGRAMME, _complete("ppr"), ISOTP_TARGETS) == {}
    assert missing_for_approval(ReportKind.EXIT, _complete("exit"), ISOTP_TARGETS) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c["targets"]["empathy"].update(rating=""), "empathy_rating"),
        (lambda c: c["targets"]["empathy"].update(rating="excellent"), "empathy_rating"),
        (lambda c: c["targets"]["coping"].update(evidence="   "), "coping_evidence"),
        (lambda c: c.update(recommendations=""), "recommendations"),
        (lambda c: c.update(relapse_prevention="\n"), "relapse_prevention"),
    ],
)
def test_each_missing_part_is_named(change, field):
    content = _complete("ppr")
    change(content)
    assert list(missing_for_approval(ReportKind.POST_PROGRAMME, content, ISOTP_TARGETS)) == [field]


def test_an_exit_report_needs_reasons_not_targets():
    assert set(missing_for_approval(ReportKind.EXIT, {}, ISOTP_TARGETS)) == {
        "exit_reasons",
        "recommendations",
    }


@pytest.mark.parametrize(
    ("status", "remaining", "started", "kind"),
    [
        ("active", 1, True, None),
        ("active", 0, True, ReportKind.POST_PROGRAMME),
        ("sessions_complete", 0, True, ReportKind.POST_PROGRAMME),
        ("completed", 0, True, ReportKind.POST_PROGRAMME),
        ("removed", 5, True, ReportKind.EXIT),
        ("restart_required", 5, True, ReportKind.EXIT),
        ("removed", 5, False, None),  # never started: no report
    ],
)
def test_which_report_a_membership_gets(status, remaining, started, kind):
    assert kind_for_membership(status, remaining, started=started) == kind


@pytest.mark.parametrize(
    ("kind", "post", "issued", "counts", "codes"),
    [
        ("post_programme", True, True, True, []),
        ("post_programme", False, True, False, ["POST_PSYCHOMETRICS_MISSING"]),
        ("post_programme", True, False, False, ["REPORT_NOT_ISSUED"]),
        ("post_programme", False, False, False, ["POST_PSYCHOMETRICS_MISSING", "REPORT_NOT_ISSUED"]),
        ("exit", True, True, False, ["EXIT_REPORT"]),
    ],
)
def test_completion_counts_only_with_post_psychometrics_and_an_issued_report(
    kind, post, issued, counts, codes
):
    decision = completion_decision(kind=kind, post_psychometrics_done=post, issued_to_om=issued)
    assert decision.counts is counts
    assert [code for code, _ in decision.reasons] == codes
    assert all(message.endswith(".") for _, message in decision.reasons)


OUTCOMES = ["attended", "late", "acceptable_absence", "unacceptable_absence", "sent_home"]


def test_attendance_lists_every_absence_with_its_catch_up():
    day = dt.date(2026, 1, 5)
    facts = summarise_attendance(
        [
            SessionRecord(1, day, "attended"),
            SessionRecord(2, day + dt.timedelta(7), "late"),
            SessionRecord(3, day + dt.timedelta(14), "sent_home", caught_up_on=day + dt.timedelta(16)),
            SessionRecord(4, day + dt.timedelta(21), "unacceptable_absence"),
        ]
    )
    assert (facts.attended, facts.missed, facts.caught_up, facts.completed) == (2, 2, 1, 3)
    assert [a.number for a in facts.absences] == [3, 4]


@given(st.lists(st.sampled_from(OUTCOMES), max_size=40), st.lists(st.booleans(), max_size=40))
def test_attended_and_missed_add_up(outcomes, caught):
    day = dt.date(2026, 1, 5)
    records = [
        SessionRecord(n, day + dt.timedelta(days=7 * n), o, day if (n < len(caught) and caught[n]) else None)
        for n, o in enumerate(outcomes)
    ]
    facts = summarise_attendance(records)
    assert facts.attended + facts.missed == len(outcomes)
    assert 0 <= facts.caught_up <= facts.missed
    assert facts.completed <= len(outcomes)


# --- the review's findings ---------------------------------------------------------------------------------------

# Written by hand from the workflow: what a PERSON may do from each status (the worker's claim, issue, fail and
# requeue are never offered in a 409's `allowed`).
PEOPLE_MAY = {
    S.DRAFT: ("submit",),
    S.AWAITING_APPROVAL: ("return", "approve"),
    S.QUEUED: (),
    S.RENDERING: (),
    S.ISSUED: ("amend",),
    S.FAILED: ("retry",),
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_refusal_offers_only_what_a_person_may_do(status, action):
    if (status, action) in EXPECTED:
        return
    with pytest.raises(IllegalReportMove) as refused:
        check_move(status, action)
    assert set(refused.value.allowed) == set(PEOPLE_MAY[status])
    assert not set(refused.value.allowed) & WORKER_ACTIONS


@pytest.mark.parametrize(("status", "allowed"), [(S.QUEUED, ()), (S.RENDERING, ()), (S.ISSUED, ("amend",))])
def test_already_issued_lists_no_worker_moves(status, allowed):
    with pytest.raises(IllegalReportMove) as refused:
        check_move(status, "approve")
    assert refused.value.code == "ALREADY_ISSUED" and refused.value.allowed == allowed


@pytest.mark.parametrize(
    ("approver", "author", "code"),
    [(1, 1, "AUTHOR_CANNOT_APPROVE"), (1, 2, None), (1, None, None), (None, None, None)],
)
def test_the_author_of_the_version_cannot_approve_it(approver, author, code):
    refusal = separation_of_duties(approver_id=approver, author_id=author)
    assert (refusal.code if refusal else None) == code


LEFT = dt.date(2026, 3, 2)
NINE, SIX_PM = dt.time(9, 0), dt.time(18, 0)


@pytest.mark.parametrize(
    ("date", "start", "left_at", "recorded", "counts"),
    [
        (LEFT - dt.timedelta(days=1), SIX_PM, None, False, True),  # the day before: his
        (LEFT + dt.timedelta(days=1), NINE, None, True, False),  # the day after: never
        (LEFT, SIX_PM, dt.datetime.combine(LEFT, dt.time(10, 0)), False, False),  # later that day
        (LEFT, NINE, dt.datetime.combine(LEFT, dt.time(10, 0)), False, True),  # earlier that day
        (
            LEFT,
            dt.time(10, 0),
            dt.datetime.combine(LEFT, dt.time(10, 0)),
            True,
            False,
        ),  # at the moment: after
        (LEFT, SIX_PM, None, True, True),  # moment unknown: the register says he was in it
        (LEFT, SIX_PM, None, False, False),  # moment unknown, nothing recorded: not his
        (
            LEFT,
            SIX_PM,
            dt.datetime.combine(LEFT - dt.timedelta(days=3), NINE),
            True,
            True,
        ),  # moment elsewhere
    ],
)
def test_sessions_before_the_leaving_point(date, start, left_at, recorded, counts):
    assert before_leaving(date, start, left_on=LEFT, left_at=left_at, recorded=recorded) is counts


def test_without_a_leaving_day_every_session_counts():
    assert before_leaving(LEFT, NINE, left_on=None)


def test_the_last_day_attended_includes_catch_ups_and_ignores_absences():
    d = dt.date(2026, 1, 5)
    rows = [
        SessionRecord(1, d, "attended"),
        SessionRecord(2, d + dt.timedelta(days=7), "late"),
        SessionRecord(
            3, d + dt.timedelta(days=14), "acceptable_absence", caught_up_on=d + dt.timedelta(days=16)
        ),
        SessionRecord(4, d + dt.timedelta(days=21), "unacceptable_absence"),
    ]
    assert last_attended(rows) == d + dt.timedelta(days=16)
    assert last_attended(rows[:2]) == d + dt.timedelta(days=7)
    assert last_attended(rows[3:]) is None
    assert last_attended(iter(rows)) == d + dt.timedelta(days=16)  # a one-pass iterable is fine


def test_reports_use_only_the_public_names_of_other_apps():
    """Review: reports/facts.py reached into assessments' private `_administrations_base`; another app's
    underscored names are its own business (assessments.selectors.results_for_report is the public way in)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "reports"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.module.startswith("reports"):
                offenders += [
                    f"{path.name}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert not offenders, offenders
