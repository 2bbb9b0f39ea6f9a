"""Loading a many-to-many for a page of rows by key, not by join (issue 11).

`prefetch_related("facilitators")` asks for the related rows joined to the link table
(`SELECT user.* FROM user JOIN link ON ... WHERE link.session_id IN (...)`): for a page of 50 sessions PostgreSQL
hashes the whole user table of the country for the ~100 links (the recordings page: every staff account at
national scale). `prefetch_many_to_many` reads the links by the page's keys, then the related rows by primary
key: two index lookups whatever the size of either table, and `instance.<field>.all()` answers from them as it
would after `prefetch_related`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet


def prefetch_many_to_many(
    instances: Iterable[Model], field: str, queryset: QuerySet[Any] | None = None
) -> None:
    """Fill `field` (a forward ManyToManyField of the instances' model) of each of `instances` in two queries (the
    links by the instances' keys, then the related rows by key), in `queryset`'s order (default: the related
    model's), so `instance.<field>.all()` reads no more. Nothing is read for no instances."""
    rows = [i for i in instances if i is not None]
    if not rows:
        return
    m2m = type(rows[0])._meta.get_field(field)
    through = m2m.remote_field.through  # type: ignore[union-attr]
    source, target = m2m.m2m_column_name(), m2m.m2m_reverse_name()  # type: ignore[union-attr]
    linked: dict[Any, list[Any]] = defaultdict(list)
    links = through._default_manager.filter(**{f"{source}__in": {r.pk for r in rows}}).values_list(
        source, target
    )
    for source_id, target_id in links.order_by():
        linked[source_id].append(target_id)
    wanted = {t for targets in linked.values() for t in targets}
    base = queryset if queryset is not None else m2m.related_model._default_manager.all()  # type: ignore[union-attr]
    related = list(base.filter(pk__in=wanted)) if wanted else []
    position = {obj.pk: n for n, obj in enumerate(related)}
    by_key = {obj.pk: obj for obj in related}
    for row in rows:
        found = sorted((t for t in linked.get(row.pk, []) if t in by_key), key=position.__getitem__)
        manager = getattr(row, field)
        cached = manager.get_queryset()
        cached._result_cache = [by_key[t] for t in found]
        cached._prefetch_done = True
        if not hasattr(row, "_prefetched_objects_cache"):
            row._prefetched_objects_cache = {}  # type: ignore[attr-defined]
        row._prefetched_objects_cache[manager.prefetch_cache_name] = cached  # type: ignore[attr-defined]
