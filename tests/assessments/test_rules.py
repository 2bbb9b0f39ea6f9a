"""The psychometric rules (domain.md §7), without a database: the worked example exactly, RCI either side of
±1.96, both directions, cut-offs a, b and c, classification, hypothesis properties, prorating and range errors,
the deviance rule at its threshold, the treated profile, the caution flag, treatment needs and timing."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.rules import (
    RELIABLE_Z,
    Classification,
    CutoffKind,
    Direction,
    InvalidBattery,
    InvalidScaleInput,
    ScaleNorms,
    ScoreRefused,
    TimingRefused,
    battery_definition,
    caution,
    change,
    change_classifications,
    check_norms,
    check_post_timing,
    check_pre_timing,
    check_total,
    cutoffs,
    deviance,
    deviance_threshold,
    is_problem,
    parse_battery,
    profile_results,
    rci,
    reliable_change_threshold,
    s_diff,
    score_items,
    standard_error,
    treated_profile,
    treatment_needs,
)

DEMO = json.loads((Path(__file__).parents[2] / "assessments/fixtures/demo_battery.json").read_text())
UP = Direction.HIGHER_IS_BETTER
DOWN = Direction.HIGHER_IS_WORSE
# §7 worked check: M_off 40, SD 7.5; M_norm 60, SD 7.5; r = .80 (a scale where higher is better).
WORKED = ScaleNorms(
    direction=UP, norm_mean=60, norm_sd=7.5, reliability=0.80, offender_mean=40, offender_sd=7.5
)


# --- the worked example of §7, exactly --------------------------------------------------------------------------


def test_worked_example_cutoffs():
    found = cutoffs(WORKED)
    assert (found.a, found.b, found.c) == (55, 45, 50)


def test_worked_example_standard_error_and_s_diff():
    assert round(standard_error(7.5, 0.80), 3) == 3.354
    assert round(s_diff(7.5, 0.80), 3) == 4.743


def test_worked_example_a_change_of_more_than_9_30_points_is_reliable():
    assert round(reliable_change_threshold(7.5, 0.80), 2) == 9.30
    assert change(40, 49.29, WORKED).reliable is False
    assert change(40, 49.31, WORKED).reliable is True


def test_worked_example_uses_cutoff_c_when_offender_norms_exist_else_b():
    assert change(40, 52, WORKED).cutoff_kind == CutoffKind.C
    assert change(40, 52, WORKED).cutoff == 50
    no_offender = ScaleNorms(direction=UP, norm_mean=60, norm_sd=7.5, reliability=0.80)
    found = change(40, 52, no_offender)
    assert (found.cutoff_kind, found.cutoff) == (CutoffKind.B, 45)
    assert cutoffs(no_offender).a is None and cutoffs(no_offender).c is None


# --- RCI either side of ±1.96 ----------------------------------------------------------------------------------

SDIFF = s_diff(7.5, 0.80)


@pytest.mark.parametrize(
    ("z", "reliable"),
    [
        (1.95, False),
        (1.96, False),
        (1.9601, True),
        (2.5, True),
        (-1.95, False),
        (-1.96, False),
        (-1.9601, True),
    ],
)
def test_rci_either_side_of_the_threshold(z, reliable):
    pre = 50.0
    post = pre + z * SDIFF
    found = change(pre, post, WORKED)
    assert math.isclose(found.rci, z, abs_tol=1e-9)
    assert found.reliable is reliable
    if not reliable:
        assert found.classification == Classification.UNCHANGED
        assert found.code == "CHANGE_NOT_RELIABLE"


def test_rci_is_post_minus_pre_over_s_diff():
    assert rci(40, 50, 7.5, 0.8) == pytest.approx(10 / 4.743416, rel=1e-6)


# --- both directions, cut-offs a, b, c, and classification ------------------------------------------------------

# A higher-is-worse scale mirrored from the worked example: offenders 60 (SD 7.5), non-offenders 40 (SD 7.5).
WORSE = ScaleNorms(
    direction=DOWN, norm_mean=40, norm_sd=7.5, reliability=0.80, offender_mean=60, offender_sd=7.5
)


def test_cutoffs_for_a_higher_is_worse_scale_point_the_other_way():
    found = cutoffs(WORSE)
    # a: 2 SD from the offender mean towards functional (down); b: 2 SD from the norm mean towards dysfunctional (up)
    assert (found.a, found.b, found.c) == (45, 55, 50)


@pytest.mark.parametrize(
    ("norms", "pre", "post", "expected"),
    [
        # higher is better: a reliable rise crossing c (50) recovers; a rise staying below c improves
        (WORKED, 40, 55, Classification.RECOVERED),
        (WORKED, 35, 48, Classification.IMPROVED),
        (WORKED, 40, 45, Classification.UNCHANGED),
        (WORKED, 55, 40, Classification.DETERIORATED),
        # ending exactly on the cut-off has not crossed it
        (WORKED, 38, 50, Classification.IMPROVED),
        # already functional before: improving reliably is improvement, not recovery
        (WORKED, 52, 65, Classification.IMPROVED),
        # higher is worse: a fall is improvement
        (WORSE, 60, 45, Classification.RECOVERED),
        (WORSE, 65, 52, Classification.IMPROVED),
        (WORSE, 60, 55, Classification.UNCHANGED),
        (WORSE, 45, 60, Classification.DETERIORATED),
    ],
)
def test_classification_table(norms, pre, post, expected):
    assert change(pre, post, norms).classification == expected


def test_cutoff_b_is_used_without_offender_norms_for_both_directions():
    up = ScaleNorms(direction=UP, norm_mean=60, norm_sd=7.5, reliability=0.8)
    down = ScaleNorms(direction=DOWN, norm_mean=40, norm_sd=7.5, reliability=0.8)
    assert change(30, 46, up).classification == Classification.RECOVERED  # crosses b = 45 upwards
    assert change(30, 44, up).classification == Classification.IMPROVED
    assert change(70, 54, down).classification == Classification.RECOVERED  # crosses b = 55 downwards
    assert change(70, 56, down).classification == Classification.IMPROVED


@pytest.mark.parametrize(
    ("field", "norms"),
    [
        ("reliability", ScaleNorms(UP, 60, 7.5, 1.01)),
        ("reliability", ScaleNorms(UP, 60, 7.5, -0.1)),
        ("norm_sd", ScaleNorms(UP, 60, 0, 0.8)),
        ("norm_sd", ScaleNorms(UP, 60, -1, 0.8)),
        ("offender_sd", ScaleNorms(UP, 60, 7.5, 0.8, 40, 0)),
        ("offender_sd", ScaleNorms(UP, 60, 7.5, 0.8, 40, None)),
    ],
)
def test_out_of_range_norms_name_the_field(field, norms):
    with pytest.raises(InvalidScaleInput) as refused:
        change(40, 50, norms)
    assert refused.value.field == field


def test_reliability_at_its_bounds():
    assert change(40, 41, ScaleNorms(UP, 60, 7.5, 0.0)).reliable is False
    assert change(40, 41, ScaleNorms(UP, 60, 7.5, 0.999)).reliable is True
    # review: a reliability of 1 leaves no measurement error, S_diff is 0 and the RCI infinite: refused
    with pytest.raises(InvalidScaleInput):
        check_norms(ScaleNorms(UP, 60, 7.5, 1.0))


# --- hypothesis properties -------------------------------------------------------------------------------------

scores = st.floats(min_value=-200, max_value=200, allow_nan=False, allow_infinity=False)
sds = st.floats(min_value=0.5, max_value=30, allow_nan=False)
reliabilities = st.floats(min_value=0, max_value=0.99, allow_nan=False)
directions = st.sampled_from(list(Direction))


@st.composite
def scale_norms(draw):
    offender = draw(st.booleans())
    return ScaleNorms(
        direction=draw(directions),
        norm_mean=draw(scores),
        norm_sd=draw(sds),
        reliability=draw(reliabilities),
        offender_mean=draw(scores) if offender else None,
        offender_sd=draw(sds) if offender else None,
    )


@given(scale_norms(), scores, scores)
def test_swapping_pre_and_post_flips_the_sign_of_the_rci(norms, pre, post):
    forward, backward = change(pre, post, norms), change(post, pre, norms)
    assert forward.rci == pytest.approx(-backward.rci)
    assert forward.reliable == backward.reliable


def _mirror(norms: ScaleNorms) -> ScaleNorms:
    flipped = UP if norms.direction == DOWN else DOWN
    return ScaleNorms(
        direction=flipped,
        norm_mean=-norms.norm_mean,
        norm_sd=norms.norm_sd,
        reliability=norms.reliability,
        offender_mean=None if norms.offender_mean is None else -norms.offender_mean,
        offender_sd=norms.offender_sd,
    )


@given(scale_norms(), scores, scores)
def test_mirroring_a_scale_mirrors_its_classification(norms, pre, post):
    """Reflect the scale (scores and means negated, direction flipped): the same man, the same verdict."""
    assert change(pre, post, norms).classification == change(-pre, -post, _mirror(norms)).classification


@given(scale_norms(), scores, scores)
def test_flipping_only_the_direction_turns_improvement_into_deterioration(norms, pre, post):
    flipped = ScaleNorms(UP if norms.direction == DOWN else DOWN, *list(vars(norms).values())[1:])
    before, after = change(pre, post, norms).classification, change(pre, post, flipped).classification
    better = {Classification.RECOVERED, Classification.IMPROVED}
    if before == Classification.UNCHANGED:
        assert after == Classification.UNCHANGED
    elif before == Classification.DETERIORATED:
        assert after in better
    else:
        assert after == Classification.DETERIORATED


@given(scale_norms(), scores, scores)
def test_reliable_exactly_when_beyond_1_96(norms, pre, post):
    found = change(pre, post, norms)
    assert found.reliable == (abs(found.rci) > RELIABLE_Z + 1e-9)


# --- battery configuration ---------------------------------------------------------------------------------------


def test_the_demo_battery_parses_and_round_trips():
    battery = parse_battery(DEMO)
    assert battery.illustrative is True
    assert battery_definition(battery) == DEMO


@pytest.mark.parametrize(
    ("change_to", "message"),
    [
        (
            {"reliability": 1.2},
            "Scale 1 (CDS), reliability: enter a reliability from 0 up to, but not including, 1",
        ),
        ({"norm_sd": 0}, "Scale 1 (CDS), norm_sd: enter a non-offender SD greater than 0"),
        ({"direction": "sideways"}, "Scale 1 (CDS), direction: must be one of"),
        ({"min": 80}, "Scale 1 (CDS), max: must be greater than min"),
        ({"targets": [7]}, "Scale 1 (CDS), targets: must be a list of treatment targets 1 to 6"),
        ({"offender_sd": None}, "Scale 1 (CDS), offender_sd: give both the offender mean and SD, or neither"),
        ({"colour": "red"}, "Scale 1 (CDS), colour: is not a field of a scale"),
        ({"items": {"min": 0, "max": 4, "reverse": [99], "max_missing": 0}}, "Scale 1 (CDS), items.reverse"),
        ({"caution_above": 3}, "Scale 1 (CDS), caution_above: only a response-bias scale"),
    ],
)
def test_battery_errors_name_the_scale_and_field(change_to, message):
    definition = copy.deepcopy(DEMO)
    definition["scales"][0].update(change_to)
    with pytest.raises(InvalidBattery) as refused:
        parse_battery(definition)
    assert any(problem.startswith(message) for problem in refused.value.problems), refused.value.problems


def test_a_duplicate_scale_code_is_refused():
    definition = copy.deepcopy(DEMO)
    definition["scales"][1]["code"] = "CDS"
    with pytest.raises(InvalidBattery, match="another scale already uses CDS"):
        parse_battery(definition)


# --- scoring: range errors and prorating ---------------------------------------------------------------------------

BATTERY = parse_battery(DEMO)
CDS = BATTERY.scale("CDS")  # total 15-75
PT = BATTERY.scale("IRI_PT")  # 7 items 0-4, items 2 and 5 reversed, 1 may be missing
MOTOR = BATTERY.scale("BIS_MOT")  # 11 items 1-4, item 4 reversed, 2 may be missing


@pytest.mark.parametrize(("score", "ok"), [(14.99, False), (15, True), (75, True), (75.01, False)])
def test_a_total_is_checked_against_the_scale_range(score, ok):
    if ok:
        assert check_total(CDS, score).score == score
    else:
        with pytest.raises(ScoreRefused, match="from 15 to 75"):
            check_total(CDS, score)


def test_items_are_summed_with_reverse_scoring():
    # items 2 and 5 are reversed on 0-4: 4 -> 0
    assert score_items(PT, [1, 4, 1, 1, 4, 1, 1]).score == 5
    assert score_items(PT, [1, 4, 1, 1, 4, 1, 1]).prorated is False


def test_missing_items_within_the_limit_are_prorated():
    found = score_items(
        PT, [2, 2, 2, None, 2, 2, 2]
    )  # 6 answered, each 2 (reversed 2 stays 2): 12 * 7 / 6 = 14
    assert (found.score, found.prorated, found.missing_items) == (14, True, 1)
    found = score_items(MOTOR, [3, 3, None, 2, 3, 3, 3, None, 3, 3, 3])  # item 4 reversed: 2 -> 3
    assert found.score == pytest.approx(round(27 * 11 / 9, 2))


def test_missing_items_beyond_the_limit_are_refused():
    with pytest.raises(ScoreRefused, match="2 missing items: at most 1 may be prorated"):
        score_items(PT, [2, None, 2, None, 2, 2, 2])


@pytest.mark.parametrize(
    ("responses", "message"), [([5, 1, 1, 1, 1, 1, 1], "Item 1"), ([1] * 6, "Give 7 item")]
)
def test_item_range_and_count_errors(responses, message):
    with pytest.raises(ScoreRefused, match=message):
        score_items(PT, responses)


# --- problems, deviance at its threshold, treated profile, caution, needs ---------------------------------------


def _normal_scores(battery=BATTERY):
    """Every scale at its non-offender mean: no problems anywhere."""
    return {s.code: s.norm_mean for s in battery.scales}


def _problem(scale_code, battery=BATTERY):
    scale = battery.scale(scale_code)
    far = 2.5 * scale.norm_sd
    value = scale.norm_mean + far if scale.direction == DOWN else scale.norm_mean - far
    return min(max(value, scale.score_min), scale.score_max)


COUNTED = [
    s.code
    for s in BATTERY.scales
    if s.domain.value in ("pro_offending_attitudes", "socio_affective_functioning")
]


def test_a_problem_is_beyond_the_normal_range_on_the_dysfunctional_side():
    cds = BATTERY.scale("CDS")  # norm 24, SD 6: normal range up to 36
    assert not is_problem(cds, 36, 2.0) and is_problem(cds, 36.01, 2.0)
    assert not is_problem(cds, 15, 2.0)  # better than the normal range is no problem
    se = BATTERY.scale("SE")  # higher is better: norm 6, SD 1 -> low end 4
    assert not is_problem(se, 4, 2.0) and is_problem(se, 3.9, 2.0)


@pytest.mark.parametrize(("problems", "level"), [(0, "low"), (5, "low"), (6, "high"), (12, "high")])
def test_deviance_at_the_default_threshold_of_half_the_scales(problems, level):
    assert len(COUNTED) == 12 and deviance_threshold(BATTERY) == 6
    scores = _normal_scores()
    for code in COUNTED[:problems]:
        scores[code] = _problem(code)
    found = deviance(BATTERY, scores)
    assert (found.level, found.problem_count, found.threshold) == (level, problems, 6)
    assert "default threshold of 6" in found.reason


@pytest.mark.parametrize(("problems", "level"), [(2, "low"), (3, "high")])
def test_deviance_at_a_configured_threshold(problems, level):
    definition = copy.deepcopy(DEMO)
    definition["rules"]["deviance_threshold"] = 3
    battery = parse_battery(definition)
    scores = _normal_scores(battery)
    for code in COUNTED[:problems]:
        scores[code] = _problem(code, battery)
    found = deviance(battery, scores)
    assert found.level == level and found.threshold_configured and "configured threshold of 3" in found.reason


def test_self_management_and_response_bias_problems_do_not_count_for_deviance():
    scores = _normal_scores()
    for code in ("LOC", "BIS_ATT", "BIS_MOT", "BIS_NP", "RPK", "SDS"):
        scores[code] = _problem(code)
    assert deviance(BATTERY, scores).problem_count == 0


@pytest.mark.parametrize(
    ("problems", "treated"),
    [((), True), (("EL", "UA"), True), (("EL", "UA", "OA"), False), (("CDS",), False)],
)
def test_treated_profile(problems, treated):
    scores = _normal_scores()
    for code in problems:
        scores[code] = _problem(code)
    assert treated_profile(BATTERY, scores).treated is treated


@pytest.mark.parametrize(("score", "flagged"), [(24, False), (24.5, True)])
def test_social_desirability_above_its_threshold_flags_caution(score, flagged):
    scores = _normal_scores() | {"SDS": score}
    assert caution(BATTERY, scores).flagged is flagged


def test_treatment_needs_come_from_the_problem_scales_targets():
    scores = _normal_scores() | {"DENIAL": _problem("DENIAL"), "IRI_PT": _problem("IRI_PT")}
    needs = treatment_needs(BATTERY, scores)
    assert [(n.target, n.scales) for n in needs] == [(1, ("DENIAL",)), (3, ("IRI_PT",))]
    assert treatment_needs(BATTERY, _normal_scores()) == ()


def test_profile_results_compose_everything():
    pre = _normal_scores() | {"CDS": 45.0}
    post = _normal_scores() | {"CDS": 25.0}
    found = profile_results(BATTERY, pre, post)
    cds = next(row for row in found.scales if row.code == "CDS")
    assert cds.pre_problem and not cds.post_problem
    assert (
        cds.change is not None and cds.change.classification == "recovered" and cds.change.cutoff_used == "c"
    )
    sds = next(row for row in found.scales if row.code == "SDS")
    assert sds.change is None  # response bias: no change statistics
    assert found.deviance is not None and found.treated_profile is not None and found.treated_profile.treated


@pytest.mark.parametrize("post_cds", [25.0, 45.0, 60.0, None])
def test_change_classifications_are_the_profiles_classifications(post_cds):
    """The statistics' shortcut (issue 11) says what the full profile says of each scale's change: only the scales
    measured both times, never a response-bias scale."""
    pre = _normal_scores() | {"CDS": 45.0}
    post = {k: v for k, v in (_normal_scores() | {"CDS": post_cds}).items() if v is not None}
    profile = profile_results(BATTERY, pre, post)
    assert change_classifications(BATTERY, pre, post) == {
        row.code: row.change.classification for row in profile.scales if row.change is not None
    }
    assert "SDS" not in change_classifications(BATTERY, pre, post)
    assert change_classifications(BATTERY, pre, None) == {} == change_classifications(BATTERY, pre, {})


# --- timing (003) -------------------------------------------------------------------------------------------------

D = dt.date


@pytest.mark.parametrize(
    ("on", "first", "code"),
    [
        (D(2027, 1, 4), D(2027, 1, 4), None),
        (D(2027, 1, 5), D(2027, 1, 4), "PRE_AFTER_FIRST_SESSION"),
        (D(2027, 2, 1), None, "DATE_IN_FUTURE"),
    ],
)
def test_pre_programme_timing(on, first, code):
    today = D(2027, 1, 10)
    if code is None:
        check_pre_timing(administered_on=on, first_session=first, today=today)
        return
    with pytest.raises(TimingRefused) as refused:
        check_pre_timing(administered_on=on, first_session=first, today=today)
    assert refused.value.code == code and refused.value.field == "administered_on"


@pytest.mark.parametrize(
    ("has_pre", "complete", "on", "code", "field"),
    [
        (True, True, D(2027, 6, 1), None, None),
        (False, True, D(2027, 6, 1), "PRE_PROGRAMME_REQUIRED", None),
        (True, False, D(2027, 6, 1), "SESSIONS_NOT_COMPLETE", None),
        (True, True, D(2027, 5, 30), "POST_BEFORE_LAST_SESSION", "administered_on"),
    ],
)
def test_post_programme_timing(has_pre, complete, on, code, field):
    kwargs = {
        "administered_on": on,
        "has_pre": has_pre,
        "sessions_complete": complete,
        "last_session": D(2027, 5, 31),
        "today": D(2027, 6, 2),
    }
    if code is None:
        check_post_timing(**kwargs)
        return
    with pytest.raises(TimingRefused) as refused:
        check_post_timing(**kwargs)
    assert (refused.value.code, refused.value.field) == (code, field)
