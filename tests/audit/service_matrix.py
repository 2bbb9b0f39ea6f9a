"""The audit trail's own functions are not gated services: every gated service writes through them."""

from __future__ import annotations

from audit import services
from tests.service_matrix import NotAService

NOT_SERVICES = [
    NotAService(services.record_event, "the audit event a gated service writes in its own transaction"),
    NotAService(
        services.audit_event, "builds the event `record_event` writes, for `record_events`; no write"
    ),
    NotAService(
        services.record_events, "the audit events a gated service writes together in its own transaction"
    ),
    NotAService(services.record_access, "the access log a `*_record_for` selector writes as it reads"),
    NotAService(
        services.record_search, "the access log of a search, written by the page or endpoint that lists"
    ),
    NotAService(services.diff, "computes the changed fields for an audit event; no write"),
    NotAService(services.search_label, "the words of a search for its access-log entry; no write"),
]
