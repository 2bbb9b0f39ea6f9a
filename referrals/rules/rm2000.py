"""Risk Matrix 2000 calculator (Thornton et al. 2003; scoring guide Thornton 2007), showing its working.

Pure rules (domain.md §4): no Django, plain values in and out. The point tables are data, a JSON-serialisable
scoring table that the Django layer stores in a versioned, admin-editable table, so an area can correct them
against §13-15 of the 2007 guide without a code change. `validate_scoring_table` says, in plain English, what
is wrong with an edited table; `score` refuses an invalid table and any input RM2000 is not valid for.

Decisions where the sources are silent:
- Criminal appearances include the sexual ones (every conviction is a criminal appearance), so fewer criminal
  than sexual appearances is refused as a recording error.
- An age at commencement of risk below every age band of the table is refused rather than guessed.
- A commencement of risk after the assessment date is a pre-release assessment (domain.md §4): accepted, with a
  warning, the age item being the age at release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from isotp.dates import age_on, long_date, too_old

from .eligibility import RISK_LABELS, RISK_LEVELS

CATEGORIES: tuple[str, ...] = RISK_LEVELS  # low, medium, high, very_high
AGGRAVATING_FACTORS: dict[str, str] = {  # domain.md §4, Step 2
    "male_victim": "male victim",
    "stranger_victim": "stranger victim",
    "non_contact_offence": "non-contact sexual offence",
    "single": "single",  # never married, nor lived with a partner for 2 years
}
EN_DASH = "\u2013"
MIN_AGE = 18  # domain.md §4: for males aged 18 and over


def _bands(*rows: tuple[int, int | None, int], key: str = "points") -> list[dict[str, Any]]:
    return [{"min": lo, "max": hi, key: value} for lo, hi, value in rows]


def _categories(*rows: tuple[int, int | None, str]) -> list[dict[str, Any]]:
    return [{"min": lo, "max": hi, "category": cat} for lo, hi, cat in rows]


DEFAULT_SCORING_TABLE: dict[str, Any] = {
    "version": "2003-commonly-cited-1",
    "source_note": (
        "The commonly cited Risk Matrix 2000 point tables (Thornton et al. 2003), as summarised in the "
        "product's domain reference. They have not been checked against the official scoring "
        "guide: each area should check them against sections 13 to 15 of Thornton (2007), Risk Matrix 2000 scoring "
        "guide, and save a corrected table as a new version where they differ."
    ),
    "s": {
        "age_at_commencement": _bands((18, 24, 2), (25, 34, 1), (35, None, 0)),
        "sexual_appearances": _bands((1, 1, 0), (2, 2, 1), (3, 4, 2), (5, None, 3)),
        "criminal_appearances": _bands((1, 4, 0), (5, None, 1)),
        "categories": _categories((0, 0, "low"), (1, 2, "medium"), (3, 4, "high"), (5, None, "very_high")),
        "aggravating_factors": list(AGGRAVATING_FACTORS),
        # Step 2: 2 or 3 factors raise the category one step, 4 raise it two; never above very high.
        "uplift": _bands((0, 1, 0), (2, 3, 1), (4, None, 2), key="steps"),
    },
    "v": {
        "age_at_commencement": _bands((18, 24, 3), (25, 34, 2), (35, 44, 1), (45, None, 0)),
        "violent_appearances": _bands((0, 0, 0), (1, 1, 1), (2, 3, 2), (4, None, 3)),
        "burglary_points": 2,
        "categories": _categories((0, 1, "low"), (2, 3, "medium"), (4, 5, "high"), (6, None, "very_high")),
    },
    "c": {
        "category_points": {"low": 0, "medium": 1, "high": 2, "very_high": 3},
        "categories": _categories((0, 0, "low"), (1, 2, "medium"), (3, 4, "high"), (5, None, "very_high")),
    },
}

# Band tables: (scale, key) -> (plain name, value key, highest allowed first "min").
_BAND_TABLES: dict[tuple[str, str], tuple[str, str, int]] = {
    ("s", "age_at_commencement"): ("RM2000/S age at commencement of risk", "points", MIN_AGE),
    ("s", "sexual_appearances"): ("RM2000/S sexual appearances", "points", 1),
    ("s", "criminal_appearances"): ("RM2000/S criminal appearances", "points", 1),
    ("s", "categories"): ("RM2000/S step 1 categories", "category", 0),
    ("s", "uplift"): ("RM2000/S step 2 uplift", "steps", 0),
    ("v", "age_at_commencement"): ("RM2000/V age at commencement of risk", "points", MIN_AGE),
    ("v", "violent_appearances"): ("RM2000/V violent appearances", "points", 0),
    ("v", "categories"): ("RM2000/V categories", "category", 0),
    ("c", "categories"): ("RM2000/C categories", "category", 0),
}
_KEYS: dict[str, set[str]] = {
    "": {"version", "source_note", "s", "v", "c"},
    "s": {
        "age_at_commencement",
        "sexual_appearances",
        "criminal_appearances",
        "categories",
        "aggravating_factors",
        "uplift",
    },
    "v": {"age_at_commencement", "violent_appearances", "burglary_points", "categories"},
    "c": {"category_points", "categories"},
}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _keys(obj: object, expected: set[str], where: str, problems: list[str]) -> bool:
    if not isinstance(obj, dict):
        problems.append(f"{where} must be an object with the keys {', '.join(sorted(expected))}")
        return False
    if unknown := sorted(str(key) for key in set(obj) - expected):
        problems.append(f"{where} has unknown key(s): {', '.join(unknown)}")
    if missing := sorted(expected - set(obj)):
        problems.append(f"{where} is missing: {', '.join(missing)}")
    return True


def _check_bands(bands: object, name: str, value_key: str, first_min: int, problems: list[str]) -> None:
    """Bands must be complete, in order, without gaps or overlaps, and open-ended at the top."""
    if not isinstance(bands, list) or not bands:
        problems.append(f"{name}: needs a list of at least one band")
        return
    previous: dict[str, Any] | None = None
    for i, band in enumerate(bands, start=1):
        if not _keys(band, {"min", "max", value_key}, f"{name}, band {i}", problems):
            return
        lo, hi = band.get("min"), band.get("max")
        if not _is_int(lo) or lo < 0 or (hi is not None and (not _is_int(hi) or hi < lo)):
            problems.append(
                f"{name}, band {i}: min must be a whole number of 0 or more and max empty or at least min"
            )
            return
        _check_band_value(band, previous, name, i, value_key, problems)
        _check_band_joins(band, previous, name, i, first_min, problems)
        previous = band
    if previous is not None and previous["max"] is not None:
        problems.append(
            f"{name}: the last band must be open-ended (max empty) so that every higher value is covered"
        )


def _check_band_value(
    band: dict[str, Any],
    previous: dict[str, Any] | None,
    name: str,
    i: int,
    value_key: str,
    problems: list[str],
) -> None:
    """A band's category (or step count) is known and never goes down as the score goes up."""
    value: Any = band.get(value_key)
    if value_key == "category":
        if value not in CATEGORIES:
            problems.append(f"{name}, band {i}: category must be one of {', '.join(CATEGORIES)}")
        elif (
            previous
            and previous["category"] in CATEGORIES
            and (CATEGORIES.index(value) < CATEGORIES.index(previous["category"]))
        ):
            problems.append(f"{name}, band {i}: categories must not go down as the score goes up")
    elif not _is_int(value) or value < 0:
        problems.append(f"{name}, band {i}: {value_key} must be a whole number of 0 or more")
    elif value_key == "steps" and previous and _is_int(previous["steps"]) and value < previous["steps"]:
        problems.append(f"{name}, band {i}: steps must not go down as the number of factors goes up")


def _check_band_joins(
    band: dict[str, Any],
    previous: dict[str, Any] | None,
    name: str,
    i: int,
    first_min: int,
    problems: list[str],
) -> None:
    """The first band starts low enough; each later band starts right after the one before (no gap, no overlap)."""
    lo = band["min"]
    if previous is None:
        if lo > first_min:
            problems.append(f"{name}: the first band must start at {first_min} or lower, not {lo}")
    elif previous["max"] is None or lo <= previous["max"]:
        problems.append(f"{name}: band {i} ({_label(band)}) overlaps the band before it")
    elif lo > previous["max"] + 1:
        gap = _label({"min": previous["max"] + 1, "max": lo - 1})
        problems.append(f"{name}: there is a gap, no band covers {gap}")


def _section(table: dict[str, Any], key: str) -> dict[str, Any]:
    value = table.get(key)
    return value if isinstance(value, dict) else {}


def validate_scoring_table(table: object) -> list[str]:
    """Plain-English problems with a scoring table; empty when it is valid."""
    problems: list[str] = []
    if not _keys(table, _KEYS[""], "The scoring table", problems):
        return problems
    assert isinstance(table, dict)
    for key in ("version", "source_note"):
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            problems.append(f"The scoring table's {key} must be some text")
    for scale in ("s", "v", "c"):
        if scale in table:
            _keys(table[scale], _KEYS[scale], f"RM2000/{scale.upper()}", problems)
    for (scale, key), (name, value_key, first_min) in _BAND_TABLES.items():
        if isinstance(table.get(scale), dict) and key in table[scale]:
            _check_bands(table[scale][key], name, value_key, first_min, problems)
    _check_points(table, problems)
    return problems


def _check_points(table: dict[str, Any], problems: list[str]) -> None:
    """The scales' points and factors: S's aggravating factors, V's burglary points, C's category points."""
    s, v, c = (_section(table, key) for key in ("s", "v", "c"))
    factors = s.get("aggravating_factors", [])
    if not isinstance(factors, list) or not all(f in AGGRAVATING_FACTORS for f in map(str, factors)):
        known = ", ".join(AGGRAVATING_FACTORS)
        problems.append(f"RM2000/S aggravating factors must be a list drawn from {known}")
    elif len(set(factors)) != len(factors):
        problems.append("RM2000/S aggravating factors are listed more than once")
    if "burglary_points" in v and (not _is_int(v["burglary_points"]) or v["burglary_points"] < 0):
        problems.append("RM2000/V burglary points must be a whole number of 0 or more")
    if "category_points" in c:
        points = c["category_points"]
        if _keys(points, set(CATEGORIES), "RM2000/C category points", problems):
            values = [points.get(cat) for cat in CATEGORIES]
            if not all(_is_int(p) and p >= 0 for p in values):
                problems.append("RM2000/C category points must be whole numbers of 0 or more")
            elif values != sorted(values):
                problems.append("RM2000/C category points must not go down from low to very high")


class InvalidScoringTable(ValueError):
    """The stored scoring table is not usable; `problems` says why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("The RM2000 scoring table is not valid: " + "; ".join(problems))


class RM2000Refused(ValueError):
    """RM2000 cannot be scored for this input: `field` names the input to correct."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class RM2000Input:
    sex: str
    date_of_birth: date
    assessment_date: date
    commencement_of_risk_date: date
    sexual_appearances: int
    criminal_appearances: int
    violent_appearances: int
    burglary: bool
    male_victim: bool
    stranger_victim: bool
    non_contact_offence: bool
    single: bool
    # domain.md §4: RM2000 is for men with at least one sexual offence committed after the age of 16; asked.
    sexual_offence_after_16: bool = True


@dataclass(frozen=True)
class RM2000Result:
    s_step1_points: int
    s_step1_category: str
    aggravating_factors: int
    s_category: str
    v_points: int
    v_category: str
    c_category: str
    working: tuple[str, ...]
    table_version: str
    age_at_commencement: int
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "s": {
                "step1_points": self.s_step1_points,
                "step1_category": self.s_step1_category,
                "aggravating_factors": self.aggravating_factors,
                "category": self.s_category,
            },
            "v": {"points": self.v_points, "category": self.v_category},
            "c": {"category": self.c_category},
            "working": list(self.working),
            "warnings": list(self.warnings),
            "table_version": self.table_version,
        }


# domain.md §4: a commencement of risk after the assessment is a pre-release assessment; one 5 years or more
# ahead is not a release date an assessment is made for, but a typing slip (tester of issue 7).
MAX_YEARS_TO_COMMENCEMENT = 5
# A bound on each count of appearances, so a typing slip (10^30) is refused on its field rather than scored: the
# same bound as OGRS3's previous sanctions (referrals.rules.ogrs3.MAX_PREVIOUS_SANCTIONS, Howard et al. 2009),
# far above any real count of court appearances.
MAX_APPEARANCES = 200


def check_input(inp: RM2000Input) -> tuple[RM2000Refused, ...]:
    """Every reason RM2000 cannot be scored for this input (domain.md §4), in field order."""
    refusals: list[RM2000Refused] = []
    if inp.sex != "male":
        refusals.append(RM2000Refused("sex", "Risk Matrix 2000 is only valid for males"))
    dob, assessed = inp.date_of_birth, inp.assessment_date
    if oldest := too_old(dob, assessed):  # review of issue 7, no. 14
        refusals.append(RM2000Refused("date_of_birth", oldest))
    elif assessed < dob:  # review of issue 7, no. 3: refused on its field, never an age taken before birth
        refusals.append(
            RM2000Refused(
                "assessment_date",
                f"The assessment date ({long_date(assessed)}) is before the date of birth ({long_date(dob)})",
            )
        )
    elif (age := age_on(dob, assessed)) < MIN_AGE:  # domain.md §4: males aged 18 and over
        refusals.append(
            RM2000Refused(
                "date_of_birth",
                f"Risk Matrix 2000 is only valid from age {MIN_AGE}: he is {age} on the assessment date",
            )
        )
    cor = inp.commencement_of_risk_date
    if (
        cor > assessed and age_on(assessed, cor) >= MAX_YEARS_TO_COMMENCEMENT
    ):  # tester of issue 7: a typing slip
        refusals.append(
            RM2000Refused(
                "commencement_of_risk_date",
                f"The commencement of risk ({long_date(cor)}) must be less than {MAX_YEARS_TO_COMMENCEMENT} years "
                f"after the assessment date ({long_date(assessed)})",
            )
        )
    elif cor < inp.date_of_birth:
        refusals.append(
            RM2000Refused(
                "commencement_of_risk_date",
                f"The commencement of risk date "
                f"({long_date(cor)}) is before the date of birth "
                f"({long_date(inp.date_of_birth)})",
            )
        )
    counts = (
        ("sexual_appearances", "Sexual appearances"),
        ("criminal_appearances", "Criminal appearances"),
        ("violent_appearances", "Violent appearances"),
    )
    for field, label in counts:
        if getattr(inp, field) < 0:
            refusals.append(RM2000Refused(field, f"{label} cannot be negative ({getattr(inp, field)})"))
    if inp.sexual_appearances == 0:  # domain.md §4: no sexual conviction, no RM2000
        refusals.append(
            RM2000Refused(
                "sexual_appearances",
                "Risk Matrix 2000 needs at least one sexual "
                "appearance (a conviction for a sexual offence, including the current "
                "one)",
            )
        )
    elif 0 <= inp.criminal_appearances < inp.sexual_appearances:
        refusals.append(
            RM2000Refused(
                "criminal_appearances",
                "Criminal appearances "
                f"({inp.criminal_appearances}) cannot be fewer than sexual appearances "
                f"({inp.sexual_appearances}): every sexual appearance is also a "
                "criminal appearance",
            )
        )
    if not inp.sexual_offence_after_16:  # domain.md §4: at least one sexual offence committed after 16
        refusals.append(
            RM2000Refused(
                "sexual_offence_after_16",
                "Risk Matrix 2000 is only valid for men with at least one sexual offence committed after the "
                "age of 16",
            )
        )
    return tuple(refusals)


def _label(band: dict[str, Any], open_end: str = "or more") -> str:
    if band["max"] is None:
        return f"{band['min']} {open_end}"
    return str(band["min"]) if band["min"] == band["max"] else f"{band['min']}{EN_DASH}{band['max']}"


def _find(bands: list[dict[str, Any]], value: int) -> dict[str, Any] | None:
    return next((b for b in bands if b["min"] <= value and (b["max"] is None or value <= b["max"])), None)


def _points(bands: list[dict[str, Any]], value: int, what: str, open_end: str = "or more") -> tuple[int, str]:
    band = _find(bands, value)
    assert band is not None  # a valid table covers every value from its first band up
    n = int(band["points"])
    return n, f"{what} {value} ({_label(band, open_end)}): {n} point{'' if n == 1 else 's'}"


def _category(bands: list[dict[str, Any]], total: int) -> str:
    band = _find(bands, total)
    assert band is not None
    return str(band["category"])


def score(inp: RM2000Input, table: dict[str, Any] = DEFAULT_SCORING_TABLE) -> RM2000Result:
    """Score RM2000/S, /V and /C and explain each step (domain.md §4); raises RM2000Refused."""
    if problems := validate_scoring_table(table):
        raise InvalidScoringTable(problems)
    if refusals := check_input(inp):
        raise refusals[0]
    s, v, c = table["s"], table["v"], table["c"]
    age = age_on(inp.date_of_birth, inp.commencement_of_risk_date)
    for bands in (s["age_at_commencement"], v["age_at_commencement"]):
        if _find(bands, age) is None:
            raise RM2000Refused(
                "commencement_of_risk_date",
                f"Age at commencement of risk ({age}) is below "
                f"the youngest age band of the scoring table ({bands[0]['min']}): RM2000 "
                "cannot be scored; check the dates",
            )
    label = RISK_LABELS
    assessed = age_on(inp.date_of_birth, inp.assessment_date)
    working = [f"Scoring table {table['version']}; age at assessment {assessed}"]
    warnings: list[str] = []
    if inp.commencement_of_risk_date > inp.assessment_date:  # domain.md §4: a pre-release assessment
        warnings.append(
            f"The commencement of risk ({long_date(inp.commencement_of_risk_date)}) is after the assessment date "
            f"({long_date(inp.assessment_date)}): a pre-release assessment, so the age item is his age at "
            f"release ({age})"
        )
        working.append(f"Pre-release assessment: age at commencement of risk {age}, at release")

    # Step 1 of RM2000/S: age, sexual appearances, criminal appearances.
    lines = [
        _points(s["age_at_commencement"], age, "Age at commencement of risk", "or over"),
        _points(s["sexual_appearances"], inp.sexual_appearances, "Sexual appearances"),
        _points(s["criminal_appearances"], inp.criminal_appearances, "Criminal appearances"),
    ]
    step1 = sum(n for n, _ in lines)
    step1_category = _category(s["categories"], step1)
    working += [f"RM2000/S step 1: {line}" for _, line in lines]
    working.append(f"RM2000/S step 1 total {step1}: {label[step1_category]}")

    # Step 2: aggravating factors raise the category, never above very high.
    present = [f for f in s["aggravating_factors"] if getattr(inp, f)]
    uplift = _find(s["uplift"], len(present))
    assert uplift is not None
    steps = int(uplift["steps"])
    raw = CATEGORIES.index(step1_category) + steps
    s_category = CATEGORIES[min(raw, len(CATEGORIES) - 1)]
    names = ", ".join(AGGRAVATING_FACTORS[f] for f in present) or "none"
    change = f"up {steps} categor{'y' if steps == 1 else 'ies'}" if steps else "no change"
    working.append(
        f"RM2000/S step 2: {len(present)} aggravating factor{'' if len(present) == 1 else 's'} "
        f"({names}): {change}"
    )
    capped = " (capped at Very High)" if raw >= len(CATEGORIES) else ""
    working.append(f"RM2000/S category: {label[s_category]}{capped}")

    # RM2000/V: age, violent appearances, burglary.
    v_lines = [
        _points(v["age_at_commencement"], age, "Age at commencement of risk", "or over"),
        _points(v["violent_appearances"], inp.violent_appearances, "Violent appearances"),
    ]
    burglary = int(v["burglary_points"]) if inp.burglary else 0
    v_points = sum(n for n, _ in v_lines) + burglary
    v_category = _category(v["categories"], v_points)
    working += [f"RM2000/V: {line}" for _, line in v_lines]
    working.append(
        f"RM2000/V: burglary conviction {'yes' if inp.burglary else 'no'}: {burglary} "
        f"point{'' if burglary == 1 else 's'}"
    )
    working.append(f"RM2000/V total {v_points}: {label[v_category]}")

    # RM2000/C: category points of S and V added.
    pts = c["category_points"]
    c_total = int(pts[s_category]) + int(pts[v_category])
    c_category = _category(c["categories"], c_total)
    working.append(
        f"RM2000/C: S {label[s_category]} ({pts[s_category]}) + V {label[v_category]} "
        f"({pts[v_category]}) = {c_total}: {label[c_category]}"
    )
    return RM2000Result(
        step1,
        step1_category,
        len(present),
        s_category,
        v_points,
        v_category,
        c_category,
        tuple(working),
        str(table["version"]),
        age,
        tuple(warnings),
    )
