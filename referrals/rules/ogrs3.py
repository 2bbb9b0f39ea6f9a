"""OGRS3, the Offender Group Reconviction Scale version 3 (Howard, Francis, Soothill & Humphreys 2009; MoJ Research
Summary 7/09), showing its working.

Pure rules (domain.md §4.1): no Django, plain values in and out. The coefficients are data, a JSON-serialisable
table the Django layer stores in a versioned table like the RM2000 one, so a correction is a new version and not a
code change. `validate_coefficient_table` says in plain English what is wrong with an edited table; `score` refuses
an invalid table and any input that cannot describe a real person (`OGRS3Refused` names the field).

Decisions where the sources are silent:
- The table of domain.md §4.1 starts at 18 (the product serves adults): an age under 18 at the start of follow-up
  is refused, naming the date of birth, rather than scored with a guessed coefficient.
- With no previous sanction the current conviction is the first one, so the age at first sanction must be the age
  at the current conviction; anything else is a recording error and is refused.
- Percentages round half up (round(p x 100) in §4.1; Python's own round() would send 49.5 to 50 but 48.5 to 48).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from isotp.dates import too_old

from .eligibility import RISK_LABELS, RISK_LEVELS, age_on, long_date

SEXES: tuple[str, ...] = ("male", "female")
MIN_AGE_AT_FIRST_SANCTION = 10  # the age of criminal responsibility in England and Wales
# Review of issue 7, no. 14: a bound on the count so a typing slip (10^9) is refused rather than scored 100%. The
# OGRS3 construction sample's most prolific offenders had well under this many sanctions (Howard et al. 2009).
MAX_PREVIOUS_SANCTIONS = 200
MINUS = "\u2212"
EN_DASH = "\u2013"

# domain.md §4.1: β_offence for the current offence group. Codes are the API's `offence_group` values.
_OFFENCE_GROUPS: tuple[tuple[str, str, float], ...] = (
    ("violence", "Violence against the person", 0.0),
    ("robbery", "Robbery", -0.634795912),
    ("public_order", "Public order", 0.181917975),
    ("sexual_not_child", "Sexual (not against a child)", 0.003276327),
    ("sexual_child", "Sexual (against a child)", -0.653434071),
    ("soliciting", "Soliciting or prostitution", 0.760608858),
    ("burglary_domestic", "Burglary (domestic)", -0.12394352),
    ("burglary_other", "Burglary (other)", 0.240604429),
    ("theft_non_motor", "Theft (non-motor)", 0.661244321),
    ("handling", "Handling stolen goods", 0.351866973),
    ("fraud_forgery", "Fraud and forgery", 0.159910192),
    ("absconding_bail", "Absconding or bail offences", 0.733378677),
    ("taking_driving_away", "Taking and driving away and related offences", 0.380059431),
    ("theft_from_vehicles", "Theft from vehicles", 0.427225615),
    ("drink_driving", "Drink driving", 0.262228428),
    ("other_motoring", "Other motoring", -0.121439408),
    ("criminal_damage", "Criminal damage", 0.204960477),
    ("drug_import_export_production", "Drug import, export or production", -0.795556373),
    ("drug_possession_supply", "Drug possession or supply", 0.077165871),
    ("other", "Other offence", -0.060667525),
)

DEFAULT_COEFFICIENT_TABLE: dict[str, Any] = {
    "version": "ogrs3-2009-1",
    "source_note": (
        "OGRS3 (Howard, Francis, Soothill & Humphreys 2009, MoJ Research Summary 7/09) as given in the product's "
        "domain reference. Public implementations disagree on which of the two motoring groups "
        "takes which coefficient: this table follows the NOMS rsr-calculator. Adult age bands only (18 and over)."
    ),
    "copas": 1.251124464,
    "intercepts": {"one_year": 1.402562384, "two_year": 2.121705678},
    "history": {"first": 0.126142106, "repeat": 0.463062792},
    "age_sex": [
        {"min": 18, "max": 20, "male": -0.625103618, "female": -0.897480934},
        {"min": 21, "max": 24, "male": -1.051515067, "female": -1.028488454},
        {"min": 25, "max": 29, "male": -1.166679288, "female": -1.052777806},
        {"min": 30, "max": 34, "male": -1.325976554, "female": -1.129127959},
        {"min": 35, "max": 39, "male": -1.368045933, "female": -1.421874940},
        {"min": 40, "max": 49, "male": -1.499690953, "female": -1.524652221},
        {"min": 50, "max": None, "male": -2.025261458, "female": -2.449837160},
    ],
    "offence_groups": {code: {"label": label, "coefficient": beta} for code, label, beta in _OFFENCE_GROUPS},
    # domain.md §4.1: bands on the 2-year percentage.
    "bands": [
        {"min": 0, "max": 49, "band": "low"},
        {"min": 50, "max": 74, "band": "medium"},
        {"min": 75, "max": 89, "band": "high"},
        {"min": 90, "max": None, "band": "very_high"},
    ],
}
OFFENCE_GROUP_CHOICES: list[tuple[str, str]] = [(code, label) for code, label, _ in _OFFENCE_GROUPS]
_TOP_KEYS = {"version", "source_note", "copas", "intercepts", "history", "age_sex", "offence_groups", "bands"}


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_ranges(rows: object, name: str, first_min: int, problems: list[str]) -> list[dict[str, Any]]:
    """Rows with `min`/`max` must start at `first_min`, follow on without gaps or overlaps and end open."""
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        problems.append(f"{name}: needs a list of at least one row")
        return []
    expected = first_min
    for i, row in enumerate(rows, 1):
        lo, hi = row.get("min"), row.get("max")
        if not _whole(lo) or (hi is not None and (not _whole(hi) or hi < lo)):
            problems.append(f"{name}, row {i}: min must be a whole number and max empty or at least min")
            return []
        if lo != expected:
            problems.append(f"{name}, row {i}: starts at {lo}, but the row before ends at {expected - 1}")
            return []
        if hi is None:
            if i != len(rows):
                problems.append(f"{name}, row {i}: only the last row may be open-ended")
                return []
            return rows
        expected = hi + 1
    problems.append(
        f"{name}: the last row must be open-ended (max empty) so that every higher value is covered"
    )
    return []


def validate_coefficient_table(table: object) -> list[str]:
    """Plain-English problems with a coefficient table; empty when it is usable."""
    if not isinstance(table, dict):
        return ["The coefficient table must be an object"]
    problems: list[str] = []
    if missing := sorted(_TOP_KEYS - set(table)):
        return [f"The coefficient table is missing: {', '.join(missing)}"]
    if unknown := sorted(str(k) for k in set(table) - _TOP_KEYS):
        problems.append(f"The coefficient table has unknown key(s): {', '.join(unknown)}")
    for key in ("version", "source_note"):
        if not isinstance(table[key], str) or not table[key].strip():
            problems.append(f"The coefficient table's {key} must be some text")
    if not _number(table["copas"]):
        problems.append("The Copas rate coefficient must be a number")
    _check_coefficients(table, problems)
    _check_offence_groups(table["offence_groups"], problems)
    _check_bands(table["bands"], problems)
    return problems


def _check_coefficients(table: dict[str, Any], problems: list[str]) -> None:
    """The intercepts, the criminal-history terms and the age-and-sex rows are numbers."""
    for key, parts in (("intercepts", ("one_year", "two_year")), ("history", ("first", "repeat"))):
        section = table[key]
        if (
            not isinstance(section, dict)
            or set(section) != set(parts)
            or not all(_number(section[p]) for p in parts)
        ):
            problems.append(f"The {key} must be numbers for exactly {' and '.join(parts)}")
    for i, row in enumerate(_check_ranges(table["age_sex"], "Age and sex", 18, problems), 1):
        if not all(_number(row.get(sex)) for sex in SEXES):
            problems.append(f"Age and sex, row {i}: needs a number for male and for female")


def _check_offence_groups(groups: object, problems: list[str]) -> None:
    """Every offence group has a label and a numeric coefficient."""
    if not isinstance(groups, dict) or not groups:
        problems.append("The offence groups must be a non-empty object of code: {label, coefficient}")
        return
    for code, group in groups.items():
        if not (
            isinstance(group, dict)
            and isinstance(group.get("label"), str)
            and group["label"].strip()
            and _number(group.get("coefficient"))
        ):
            problems.append(f"Offence group {code}: needs a label and a numeric coefficient")


def _check_bands(bands: object, problems: list[str]) -> None:
    """The bands cover every percentage and never go down as the percentage goes up."""
    previous = -1
    for i, row in enumerate(_check_ranges(bands, "Bands", 0, problems), 1):
        if row.get("band") not in RISK_LEVELS:
            problems.append(f"Bands, row {i}: band must be one of {', '.join(RISK_LEVELS)}")
        elif RISK_LEVELS.index(row["band"]) < previous:
            problems.append(f"Bands, row {i}: bands must not go down as the percentage goes up")
        else:
            previous = RISK_LEVELS.index(row["band"])


class InvalidCoefficientTable(ValueError):
    """The stored coefficient table is not usable; `problems` says why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("The OGRS3 coefficient table is not valid: " + "; ".join(problems))


class OGRS3Refused(ValueError):
    """OGRS3 cannot be scored for this input: `field` names the input to correct."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class OGRS3Input:
    sex: str
    date_of_birth: date
    conviction_date: date
    assessment_date: date  # the start of follow-up: assessment or sentence date, or release from custody
    age_at_first_sanction: int
    previous_sanctions: int  # not counting the current conviction
    offence_group: str


@dataclass(frozen=True)
class OGRS3Result:
    one_year: float  # probability of a proven reoffence within a year, rounded to 6 decimals
    two_year: float
    one_year_percent: int
    two_year_percent: int
    band: str  # on the 2-year percentage
    working: tuple[str, ...]
    table_version: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "one_year": self.one_year,
            "two_year": self.two_year,
            "one_year_percent": self.one_year_percent,
            "two_year_percent": self.two_year_percent,
            "band": self.band,
            "working": list(self.working),
            "table_version": self.table_version,
        }


def _check_birth(inp: OGRS3Input, youngest: int) -> list[OGRS3Refused]:
    """The date of birth against the other dates: one refusal at most, on the field to correct."""
    out: list[OGRS3Refused] = []
    dob, convicted, assessed = inp.date_of_birth, inp.conviction_date, inp.assessment_date
    # Review of issue 7, no. 14: a date of birth in 1800 is a typing slip.
    if oldest := too_old(dob, assessed):
        out.append(OGRS3Refused("date_of_birth", oldest))
    elif dob >= convicted:
        out.append(
            OGRS3Refused(
                "date_of_birth",
                f"The date of birth ({long_date(dob)}) must be before the conviction date ({long_date(convicted)})",
            )
        )
    elif assessed < dob:  # review of issue 7, no. 3: refused on its field, never an age taken before birth
        out.append(
            OGRS3Refused(
                "assessment_date",
                f"The assessment date ({long_date(assessed)}) is before the date of birth ({long_date(dob)})",
            )
        )
    elif (age_assessed := age_on(dob, assessed)) < youngest:
        out.append(
            OGRS3Refused(
                "date_of_birth",
                f"The OGRS3 table here starts at age {youngest}: he or she is {age_assessed} on the assessment date",
            )
        )
    return out


def _check_future(inp: OGRS3Input, today: date | None) -> list[OGRS3Refused]:
    """Tester of issue 7: a conviction or an assessment cannot be dated after today (when today is given)."""
    if today is None:
        return []
    return [
        OGRS3Refused(field, f"The {what} ({long_date(value)}) cannot be in the future")
        for field, what, value in (
            ("conviction_date", "conviction date", inp.conviction_date),
            ("assessment_date", "assessment date", inp.assessment_date),
        )
        if value > today
    ]


def assessed_before_criminal_responsibility(date_of_birth: date, assessed_on: date) -> str | None:
    """Tester of issue 7: an OGRS3 score entered from OASys cannot be dated before the person's 10th birthday,
    the age of criminal responsibility; the refusal's message, or None."""
    if assessed_on >= date_of_birth and age_on(date_of_birth, assessed_on) >= MIN_AGE_AT_FIRST_SANCTION:
        return None
    return (
        f"The assessment date ({long_date(assessed_on)}) is before his or her {MIN_AGE_AT_FIRST_SANCTION}th "
        f"birthday, the age of criminal responsibility"
    )


def check_input(
    inp: OGRS3Input, table: dict[str, Any] = DEFAULT_COEFFICIENT_TABLE, *, today: date | None = None
) -> tuple[OGRS3Refused, ...]:
    """Every reason this input cannot be scored (domain.md §4.1), in field order; with `today`, dates after it
    too."""
    out: list[OGRS3Refused] = _check_future(inp, today)
    if inp.sex not in SEXES:
        out.append(OGRS3Refused("sex", "Choose male or female"))
    out.extend(_check_birth(inp, table["age_sex"][0]["min"]))
    dob, convicted, assessed = inp.date_of_birth, inp.conviction_date, inp.assessment_date
    if convicted > assessed:
        out.append(
            OGRS3Refused(
                "conviction_date",
                f"The conviction date ({long_date(convicted)}) is after the assessment date ({long_date(assessed)})",
            )
        )
    first = inp.age_at_first_sanction
    age_convicted = age_on(dob, convicted) if dob < convicted else None
    if first < MIN_AGE_AT_FIRST_SANCTION:
        out.append(
            OGRS3Refused(
                "age_at_first_sanction",
                f"Age at first sanction ({first}) is below {MIN_AGE_AT_FIRST_SANCTION}, the age of criminal "
                "responsibility",
            )
        )
    elif age_convicted is not None and first > age_convicted:
        out.append(
            OGRS3Refused(
                "age_at_first_sanction",
                f"Age at first sanction ({first}) is after the current conviction, at age {age_convicted}",
            )
        )
    elif age_convicted is not None and inp.previous_sanctions == 0 and first != age_convicted:
        out.append(
            OGRS3Refused(
                "age_at_first_sanction",
                f"With no previous sanction the current conviction is the first: age at first sanction must be "
                f"{age_convicted}, his or her age at conviction, not {first}",
            )
        )
    if inp.previous_sanctions < 0:
        out.append(
            OGRS3Refused(
                "previous_sanctions", f"Previous sanctions cannot be negative ({inp.previous_sanctions})"
            )
        )
    elif inp.previous_sanctions > MAX_PREVIOUS_SANCTIONS:
        out.append(
            OGRS3Refused(
                "previous_sanctions",
                f"Previous sanctions ({inp.previous_sanctions}) cannot be more than {MAX_PREVIOUS_SANCTIONS}: "
                "check the count",
            )
        )
    if inp.offence_group not in table["offence_groups"]:
        out.append(
            OGRS3Refused(
                "offence_group", f"{inp.offence_group!r} is not an offence group of the coefficient table"
            )
        )
    return tuple(out)


def _signed(x: float) -> str:
    return f"{MINUS}{abs(x):.4f}" if x < 0 else f"+{x:.4f}"


def _term(x: float) -> str:
    """A term added to a sum, as people write it: "+ 0.1261", "− 2.8808"."""
    return f"{MINUS} {abs(x):.4f}" if x < 0 else f"+ {x:.4f}"


def percent(p: float) -> int:
    """A probability as a whole percentage, rounding half up (domain.md §4.1: round(p x 100))."""
    return int((Decimal(repr(p)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def band_for(two_year_percent: int, table: dict[str, Any] = DEFAULT_COEFFICIENT_TABLE) -> str:
    """The band of a 2-year percentage (domain.md §4.1: 0-49 Low, 50-74 Medium, 75-89 High, 90+ Very High)."""
    for row in table["bands"]:
        if row["min"] <= two_year_percent and (row["max"] is None or two_year_percent <= row["max"]):
            return str(row["band"])
    raise ValueError(f"{two_year_percent} is not a percentage from 0 up")


def _range(row: dict[str, Any]) -> str:
    return f"{row['min']} or over" if row["max"] is None else f"{row['min']}{EN_DASH}{row['max']}"


def score(inp: OGRS3Input, table: dict[str, Any] = DEFAULT_COEFFICIENT_TABLE) -> OGRS3Result:
    """The 1- and 2-year OGRS3 probabilities, band and working (domain.md §4.1); raises OGRS3Refused."""
    if problems := validate_coefficient_table(table):
        raise InvalidCoefficientTable(problems)
    if refusals := check_input(inp, table):
        raise refusals[0]
    age_convicted = age_on(inp.date_of_birth, inp.conviction_date)
    age_assessed = age_on(inp.date_of_birth, inp.assessment_date)
    s, first = inp.previous_sanctions, inp.age_at_first_sanction
    # 4.1: copas = ln((S + 1) / (10 + A_conv - A_first)), the rate of sanctions over the criminal career.
    copas = math.log((s + 1) / (10 + age_convicted - first))
    copas_term = table["copas"] * copas
    history = table["history"]["repeat" if s > 0 else "first"]
    age_row = next(
        r
        for r in table["age_sex"]
        if r["min"] <= age_assessed and (r["max"] is None or age_assessed <= r["max"])
    )
    age_term = age_row[inp.sex]
    group = table["offence_groups"][inp.offence_group]
    offence_term = group["coefficient"]
    working = [
        f"Coefficient table {table['version']}",
        f"Age {age_convicted} at the current conviction, {first} at the first sanction; {s} previous "
        f"sanction{'' if s == 1 else 's'}",
        f"Copas rate: ln(({s} + 1) / (10 + {age_convicted} {MINUS} {first})) = {_signed(copas)}; "
        f"{_signed(copas)} {chr(215)} {table['copas']} = {_signed(copas_term)}",
        f"Criminal history: {'previous sanctions' if s else 'no previous sanction'}: {_signed(history)}",
        f"Age {age_assessed} at the start of follow-up, {inp.sex} ({_range(age_row)}): {_signed(age_term)}",
        f"Offence group {group['label']}: {_signed(offence_term)}",
    ]
    rest = copas_term + history + age_term + offence_term
    probabilities: dict[str, float] = {}
    for key, what in (("one_year", "1 year"), ("two_year", "2 years")):
        alpha = table["intercepts"][key]
        z = alpha + rest
        p = 1 / (1 + math.exp(-z))
        probabilities[key] = p
        working.append(
            f"{what}: z = {alpha} {_term(copas_term)} {_term(history)} {_term(age_term)} "
            f"{_term(offence_term)} = {_signed(z)}; p = 1 / (1 + e^({_signed(-z)})) = {p:.4f} ({percent(p)}%)"
        )
    one, two = probabilities["one_year"], probabilities["two_year"]
    two_percent = percent(two)
    band = band_for(two_percent, table)
    band_row = next(r for r in table["bands"] if r["band"] == band)
    working.append(f"Band on the 2-year score, {two_percent}% ({_range(band_row)}): {RISK_LABELS[band]}")
    return OGRS3Result(
        one_year=round(one, 6),
        two_year=round(two, 6),
        one_year_percent=percent(one),
        two_year_percent=two_percent,
        band=band,
        working=tuple(working),
        table_version=str(table["version"]),
    )
