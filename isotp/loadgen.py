"""The national load data set (issue 11): shared plumbing for `manage.py generate_load_data`.

Each app that owns models adds its rows through a `<app>.load_data.generate(ctx)` hook (found like the demo hooks,
in INSTALLED_APPS order, so accounts comes before referrals before sessions). Rows go in with PostgreSQL COPY, with
ids assigned here, so the generator is fast (no round trip per row) and deterministic for a seed: every random
choice comes from `ctx.rng`, every UUID and timestamp from the seed and `ctx.today`, never from the clock.
COPY still runs every CHECK, UNIQUE and foreign-key constraint, so the data set holds nothing the database (and
so the product) would refuse.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

# Counts at scale 1 (issue 11). The 42 probation areas are the nation's structure and stay at every scale; every
# count inside an area (people, referrals, groups, plans, staff of each role) shrinks in proportion, so the area
# the load test measures holds 100 times more rows at SCALE than at SCALE/100. A small minimum per area keeps
# every page openable at a tiny scale: one of each role (so each can sign in), a group and a plan, and the people
# and referrals to fill them and to show every waiting status.
Rows = list[tuple[Any, ...]]  # rows for `Context.copy`, in its columns' order

AREAS = 42
BASE_COUNTS: dict[str, int] = {
    "people": 100_000,
    "referrals": 60_000,
    "groups": 3_200,
    "plans": 800,
    "area_admin": 84,  # 2 per area
    "treatment_manager": 252,  # 6 per area
    "facilitator": 1_008,  # 24 per area
    "offender_manager": 2_856,  # 68 per area: 100 staff per area in all
}
# A group has this many members: the catalogue's maximum for every group programme (its capacity); a cancelled
# group has none.
MEMBERS_PER_GROUP = 10
WAITING_STATUS_COUNT = 9  # referrals.load_data.WAITING_STATUSES: every one in every area
GROUP_LANES = 8  # an area runs its groups in at most this many lanes (two facilitators and a venue each)
PLAN_LANES = 2  # and its one-to-one plans in at most this many (one facilitator and a venue each)
PER_AREA_MINIMUMS: dict[str, int] = {
    "groups": 1,
    "plans": 1,
    "people": MEMBERS_PER_GROUP + 1 + WAITING_STATUS_COUNT,
    "referrals": MEMBERS_PER_GROUP + 1 + WAITING_STATUS_COUNT,
    "area_admin": 1,
    "treatment_manager": 1,
    "facilitator": 1,  # raised below to staff the area's lanes
    "offender_manager": 1,
}
YEARS = 10  # groups and plans over ten years
STAFF_ROLES = ("area_admin", "treatment_manager", "facilitator", "offender_manager")


def _share(total: int, n: int, k: int) -> int:
    """The k-th of n even shares of `total` (the first `total % n` get one more)."""
    return total // n + (k < total % n)


def area_counts(scale: float) -> list[dict[str, int]]:
    """Each area's counts at `scale`: its even share of each national count, at least the area minimum."""
    out = []
    for a in range(AREAS):
        counts = {
            key: max(PER_AREA_MINIMUMS[key], _share(round(base * scale), AREAS, a))
            for key, base in BASE_COUNTS.items()
        }
        # The area's groups and plans filled, and every waiting status shown.
        members = MEMBERS_PER_GROUP * counts["groups"] + counts["plans"]
        counts["referrals"] = max(counts["referrals"], members + WAITING_STATUS_COUNT)
        counts["people"] = max(counts["people"], counts["referrals"])
        counts["group_lanes"] = min(GROUP_LANES, counts["groups"])
        counts["plan_lanes"] = min(PLAN_LANES, counts["plans"])
        counts["facilitator"] = max(counts["facilitator"], 2 * counts["group_lanes"] + counts["plan_lanes"])
        out.append(counts)
    return out


def counts_for(scale: float) -> dict[str, int]:
    """The national counts at `scale` (the sum of the areas'); at scale 1 exactly the issue's figures."""
    per_area = area_counts(scale)
    out = {"areas": AREAS}
    for key in BASE_COUNTS:
        out[key] = sum(counts[key] for counts in per_area)
    out["staff"] = sum(out[role] for role in STAFF_ROLES)
    return out


@dataclasses.dataclass
class Context:
    """What the hooks share: the seed's random stream, the date the data set is built around, the counts, and
    the ids each hook leaves for the next (`ctx.ids['people']`, ...)."""

    scale: float
    seed: int
    today: dt.date
    rng: random.Random
    counts: dict[str, int]
    log: Callable[[str], None]
    ids: dict[str, Any] = dataclasses.field(default_factory=dict)
    per_area: list[dict[str, int]] = dataclasses.field(default_factory=list)
    written: dict[str, int] = dataclasses.field(default_factory=dict)
    _next_id: dict[str, int] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.per_area:
            self.per_area = area_counts(self.scale)

    def uuid(self) -> uuid.UUID:
        """A version-4 UUID drawn from the seed's stream."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        """A timestamp on `day` (UTC), for created/recorded times."""
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)

    def new_ids(self, model: type[models.Model], n: int) -> range:
        """Reserve `n` primary keys for `model`, following whatever the table already holds."""
        table = model._meta.db_table
        if table not in self._next_id:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')  # noqa: S608 (a model's table)
                self._next_id[table] = cursor.fetchone()[0]
        start = self._next_id[table]
        self._next_id[table] = start + n
        return range(start, start + n)

    def copy(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """COPY `rows` (tuples in `columns` order, by attname) into `model`'s table; other columns get the
        field's default. Returns the number of rows."""
        n = copy_rows(model, columns, rows)
        label = model._meta.label
        self.written[label] = self.written.get(label, 0) + n
        return n

    def finish(self) -> None:
        """Move every sequence past the ids assigned here, so the product's own inserts follow on."""
        with connection.cursor() as cursor:
            for table in self._next_id:
                top = f'(SELECT COALESCE(MAX(id), 1) FROM "{table}")'  # noqa: S608 (a model's table name)
                cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), {top})", [table])


# --- COPY ---------------------------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(field: models.Field, value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(field, models.JSONField):
        return json.dumps(value).translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def _fixed_default(field: models.Field) -> Any:
    """The field's default when it is a constant (or a constant factory like dict); a random or clock default
    (uuid4, timezone.now, auto_now) must be given by the caller so the data set stays deterministic."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        raise ValueError(f"{field.model._meta.label}.{field.name} is a timestamp: give it")
    if field.has_default():
        if callable(field.default) and field.default not in (dict, list, str, int, bool):
            raise ValueError(f"{field.model._meta.label}.{field.name} has a generated default: give it")
        return field.get_default()
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    raise ValueError(f"{field.model._meta.label}.{field.name} has no default: give it")


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into `model`'s table in chunks; columns not named take the field's constant default."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"{model._meta.label} has no column {sorted(unknown)}")
    given = [fields[c] for c in columns]
    # An id not given comes from the table's sequence.
    rest = [f for n, f in fields.items() if n not in columns and not isinstance(f, models.AutoField)]
    rest_text = "".join("\t" + _text(f, _fixed_default(f)) for f in rest)
    names = ", ".join(f'"{f.column}"' for f in given + rest)
    sql = f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'
    total = 0
    buffer = io.StringIO()
    pending = 0

    def flush() -> None:
        nonlocal buffer, pending
        if pending:
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(sql, buffer)  # the psycopg2 cursor under Django's wrapper
        buffer = io.StringIO()
        pending = 0

    for row in rows:
        buffer.write("\t".join(_text(f, v) for f, v in zip(given, row, strict=True)))
        buffer.write(rest_text)
        buffer.write("\n")
        pending += 1
        total += 1
        if pending >= 50_000:
            flush()
    flush()
    return total


class Timer:
    """Logs how long each hook took (the issue's S=1 budget is ten minutes)."""

    def __init__(self, log: Callable[[str], None], what: str) -> None:
        self.log, self.what = log, what

    def __enter__(self) -> Timer:
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.log(f"{self.what}: {time.monotonic() - self.start:.1f} s")
