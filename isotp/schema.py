"""The OpenAPI schema says exactly what the API does (issue 12: schemathesis checks it on every `make test`).

- Times are `HH:MM` (REST_FRAMEWORK's TIME_FORMAT), not OpenAPI's `format: time` (RFC 3339 `HH:MM:SS+00:00`):
  a pattern says what is sent and what is accepted.
- Every operation documents the errors every endpoint can give, with their bodies: 401 (no or a bad
  credential), 403 (the role may not), 404 (a record not found or not yours; a list's page out of range), 400 (field
  errors, or a body or query that cannot be read: malformed or too deeply nested JSON), 405 (a method the path does
  not serve), 406 (an Accept it cannot answer), 413 (a body over the limit),
  415 (a body of another type), 503 with `Retry-After` and the code `SERVICE_UNAVAILABLE` (the database could not be
  reached: isotp/api.py and isotp/views.py answer it) and 429 with `Retry-After` where a rate limit applies to the
  operation's method (a throttle of the view that `get_throttles()` answers for that method).
- `/healthz` (a plain Django view, for load balancers) is documented too: 200, or 503 naming the failed dependency.
- What a request may send is said as far as OpenAPI can say it (schemathesis generates from it): every date of
  isotp.fields is within 1900-2100 (a `pattern`, OpenAPI having no date range) and says in words when it must also
  be in the past or the future; every string refused with a control or text-direction character
  (isotp/bounds.py) has a `pattern` without them, and one that may not be blank needs a character that is not
  white space; a field's own `style=isotp.fields.schema(...)` adds what only the service checks (an enum of
  catalogue codes, a list's size). Rules across fields are in the operation's description and its 400.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from isotp import bounds
from isotp import fields as bounded

# HH:MM, 00:00 to 23:59.
HH_MM = r"^([01]\d|2[0-3]):[0-5]\d$"
# What DRF's ISO 8601 time input accepts without an offset: HH:MM, HH:MM:SS or HH:MM:SS.ffffff.
HH_MM_SS = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"
# A date from bounds.EARLIEST_DATE (1900-01-01) to bounds.LATEST_DATE (2100-12-31); `format: date` rules out the
# days a month does not have.
DATE_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def refused_characters(*, multiline: bool) -> str:
    """The characters bounds.text_character_problem refuses, as the inside of a regex character class."""
    allowed = {ord(c) for c in bounds.LINE_BREAKS} if multiline else set()
    parts: list[str] = []
    for first, last in bounds.REFUSED_RANGES:
        start: int | None = None
        for code in range(first, last + 2):
            inside = code <= last and code not in allowed
            if inside and start is None:
                start = code
            elif not inside and start is not None:
                end = code - 1
                parts.append(_escape(start) if start == end else f"{_escape(start)}-{_escape(end)}")
                start = None
    return "".join(parts)


def text_pattern(*, multiline: bool, blank: bool) -> str:
    """A string with none of the refused characters; not `blank`: with one character that is not white space
    (DRF trims white space, then refuses what is left empty). A field that may be blank takes the empty string too:
    its schema can carry `default: ""`, which must match its own pattern (the OpenAPI validator checks it)."""
    refused = refused_characters(multiline=multiline)
    if blank:
        return f"^[^{refused}]*$"
    return f"^[^{refused}]*[^\\s{refused}][^{refused}]*$"


_DATE_WORDS = {
    bounded.DateOfBirthField: f"On or after 1 January 1900 and at least {bounds.MIN_AGE} years ago.",
    bounded.PastDateField: "Today or earlier.",
}


def _request_constraints(field: Any, result: dict[str, Any]) -> dict[str, Any]:
    """What isotp.fields and isotp/bounds.py refuse, for a field a request sends."""
    if "pattern" in result or "enum" in result:
        return result
    validators = getattr(field, "validators", None) or []
    bounded_date = isinstance(field, bounded.DateField) or bounded.validate_date_in_range in validators
    if bounded_date and result.get("format") == "date":
        result = {**result, "pattern": DATE_PATTERN}
        words = _DATE_WORDS.get(type(field))
        if words:
            result["description"] = f"{result['description']} {words}" if result.get("description") else words
        return result
    if result.get("type") != "string" or any(isinstance(v, RegexValidator) for v in validators):
        return result  # a field with a regex of its own (a CRN) has that as its pattern (drf-spectacular adds it)
    if bounded.validate_single_line_text in validators or bounded.validate_multiline_text in validators:
        multiline = bounded.validate_multiline_text in validators
        blank = getattr(field, "allow_blank", True) or not getattr(field, "trim_whitespace", False)
        result = {**result, "pattern": text_pattern(multiline=multiline, blank=blank)}
    return result


ERROR_DETAIL = "ErrorDetail"
FIELD_ERRORS = "FieldErrors"
SERVICE_UNAVAILABLE = "ServiceUnavailable"
HEALTH = "Health"
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
        "required": True,
    }
}


def throttled(view: Any) -> bool:
    """Whether a rate limit applies to the view for the method of its (schema-generation) request."""
    if not getattr(view, "throttle_scope", None):
        return False
    return bool(view.get_throttles())


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema with the project's time format and its rate-limit answer."""

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        result = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and result.get("format") == "time":
            result = {k: v for k, v in result.items() if k != "format"}
            formats = getattr(field, "input_formats", None)
            only_hh_mm = direction == "response" or (formats is not None and list(formats) == ["%H:%M"])
            result["pattern"] = HH_MM if only_hh_mm else HH_MM_SS
            result.setdefault("example", "18:00")
        extra = (getattr(field, "style", None) or {}).get(bounded.SCHEMA_STYLE)
        if extra and isinstance(result, dict):
            result = {**result, **extra}
        if direction == "request" and isinstance(result, dict):
            result = _request_constraints(field, result)
        return result

    def _map_serializer(self, serializer: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        """A request serializer's `openapi_request` (a rule across its fields: which pairs of values go together)
        is added to its component."""
        result = super()._map_serializer(serializer, direction, bypass_extensions)
        extra = getattr(serializer, "openapi_request", None)
        if extra and direction == "request" and isinstance(result, dict):
            result = {**result, **extra}
        return result

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        if throttled(self.view) and "429" not in responses:
            responses["429"] = {
                "description": "Too many requests: try again after the number of seconds in `Retry-After`.",
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_DETAIL}"}}},
                "headers": RETRY_AFTER,
            }
        return responses


def _error(description: str, schema: str = ERROR_DETAIL) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


STANDARD_ERRORS = {
    "400": 'Field errors (`{"field": ["message"]}`), or a body or query that cannot be read (`detail`): '
    "malformed JSON, or JSON nested too deeply.",
    "401": "No credential, or one that is not valid (expired, revoked, second factor not yet entered).",
    "403": "Your role may not do this.",
    "404": "Not found, or not in your area or caseload (a list: a page out of range).",
    "405": "The method is not allowed on this path (the `Allow` header lists the ones that are).",
    "406": "The `Accept` header asks for a type the operation cannot answer with (it answers JSON).",
    "413": "The request body is larger than the service accepts.",
    "415": "The request body is not of a type the operation accepts.",
    "503": "The service is briefly unavailable (its database could not be reached): try again after the number of "
    "seconds in `Retry-After`.",
}


def _needs(operation: dict[str, Any], path: str, method: str) -> list[str]:
    has_body = "requestBody" in operation
    parameters = operation.get("parameters", [])
    has_query = any(p.get("in") == "query" for p in parameters)
    has_path = "{" in path
    codes = ["401", "403", "405", "406"]  # any path refuses an unknown method and an Accept it cannot meet
    if has_body or has_query:
        codes.append("400")
    if has_path or any(p.get("name") == "page" and p.get("in") == "query" for p in parameters):
        codes.append("404")
    if has_body:
        codes.append("415")
    if has_body or method in {"post", "put", "patch"}:
        codes.append("413")  # the middleware refuses a declared length over the limit before any view
    codes.append("503")
    return codes


def document_standard_errors(
    result: dict[str, Any], generator: Any, request: Any, public: Any
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the errors every endpoint can answer, where not already said."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_DETAIL] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "additionalProperties": True,
    }
    schemas[FIELD_ERRORS] = {
        "type": "object",
        "description": "Each field's messages; `non_field_errors` for the whole object; `detail` for a body or "
        "query that cannot be read.",
        "additionalProperties": {},
    }
    schemas[SERVICE_UNAVAILABLE] = {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string", "enum": ["SERVICE_UNAVAILABLE"]},
        },
        "required": ["detail", "code"],
    }
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in _needs(operation, path, method):
                schema = {"400": FIELD_ERRORS, "503": SERVICE_UNAVAILABLE}.get(code, ERROR_DETAIL)
                if code not in responses:
                    responses[code] = _error(STANDARD_ERRORS[code], schema)
                elif "content" not in responses[code]:
                    responses[code]["content"] = _error("", schema)["content"]
                if code == "503":
                    responses[code]["headers"] = RETRY_AFTER
    _document_healthz(result)
    return result


def _document_healthz(result: dict[str, Any]) -> None:
    """`GET /healthz` (isotp/views.py): open to load balancers, 200 or 503 with the same body."""
    checks = {"type": "string", "enum": ["ok", "unavailable"]}
    result["components"]["schemas"][HEALTH] = {
        "type": "object",
        "properties": {
            "status": checks,
            "checks": {
                "type": "object",
                "description": "Each dependency checked (`database`, `redis`, `broker`) and its state.",
                "additionalProperties": checks,
            },
            "failed": {
                "type": "array",
                "items": {"type": "string"},
                "description": "The dependencies that did not answer (empty when healthy).",
            },
        },
        "required": ["status", "checks", "failed"],
    }
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{HEALTH}"}}}
    result.setdefault("paths", {})["/healthz"] = {
        "get": {
            "operationId": "healthz_retrieve",
            "description": "Whether the database, Redis (the cache) and the Celery broker answer: for load "
            "balancers; needs no credential.",
            "tags": ["healthz"],
            "security": [],
            "responses": {
                "200": {"description": "Every dependency answers.", "content": body},
                "503": {"description": "A dependency failed: named in `failed`.", "content": body},
            },
        }
    }
