"""The audit pack: the statistics and outcomes of one scope, programme and period as a PDF (issue 14), drawn from
the same tables as the page and rendered with the reports' WeasyPrint code."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from isotp import clock
from quality.models import AuditPack
from quality.rules.programme import Period
from quality.selectors import Scope, outcomes_for, statistics_for
from quality.tables import outcomes_tables, statistics_tables
from referrals.models import Programme
from reports.pdf import FONTS, html_to_pdf


def render(pack: AuditPack) -> bytes:
    scope = Scope(pack.area_id, str(pack.area) if pack.area_id else "All areas")
    period = Period(pack.period_start, pack.period_end)
    today = clock.today()
    stats = statistics_for(scope, programme=pack.programme, period=period, today=today)
    outcomes = outcomes_for(scope, programme=pack.programme, period=period, today=today)
    html = render_to_string(
        "quality/pdf/audit_pack.html",
        {
            "pack": pack,
            "scope": scope,
            "programme": dict(Programme.choices).get(pack.programme, "Every programme"),
            "tables": statistics_tables(stats) + outcomes_tables(outcomes),
            "generated_at": timezone.localtime(),
            "fonts_url": FONTS.as_uri() + "/",
        },
    )
    return html_to_pdf(html)
