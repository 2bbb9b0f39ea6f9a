"""API request parsers: JSON that refuses absurd nesting with a 400 instead of a RecursionError (500), and any
string longer than MAX_TEXT_LENGTH or holding a NUL character (PostgreSQL cannot store one) with a 400 on its field.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser


def _refuse_hostile_strings(data: Any) -> None:
    """Walk the document (without recursion: it may be deep) and refuse over-long strings and NUL characters,
    reported on the top-level field that holds them."""
    limit = settings.MAX_TEXT_LENGTH
    stack: list[tuple[str, Any]] = (
        [(str(k), v) for k, v in data.items()] if isinstance(data, dict) else [("non_field_errors", data)]
    )
    errors: dict[str, list[str]] = {}
    while stack:
        field, value = stack.pop()
        if isinstance(value, str):
            if len(value) > limit:
                errors.setdefault(field, []).append(f"Ensure this field has no more than {limit} characters.")
            elif "\x00" in value:
                errors.setdefault(field, []).append("Null characters are not allowed.")
        elif isinstance(value, dict):
            stack.extend((field, v) for v in value.values())
            stack.extend((field, k) for k in value)
        elif isinstance(value, list):
            stack.extend((field, v) for v in value)
    if errors:
        raise ValidationError({k: sorted(set(v)) for k, v in errors.items()})


class SafeJSONParser(JSONParser):
    """DRF's JSON parser; a document nested deeper than Python's recursion limit is a parse error (400)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        _refuse_hostile_strings(data)
        return data
