"""The statistics API: the same tables as the Statistics page (and its CSVs), as JSON.

Thin: the input serializer validates the filters, the selector scopes (an area's managers see their area; every
area needs the national grant: 403 otherwise), the pure rules compute, the output serializer answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import StatisticsPermission, default_statistics_national
from isotp import clock
from quality import selectors
from quality.rules.programme import Period
from quality.serializers import StatisticsOutput, StatisticsQuery
from quality.tables import statistics_figures


class StatisticsApi(APIView):
    """Programme statistics and outcomes for a programme and period (default: every programme, the last year)."""

    permission_classes = [StatisticsPermission]

    @extend_schema(parameters=[StatisticsQuery], responses=StatisticsOutput)
    def get(self, request: Request) -> Response:
        query = StatisticsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data: dict[str, Any] = query.validated_data
        today = clock.today()
        period = Period(data.get("start") or today - dt.timedelta(days=365), data.get("end") or today)
        user = cast(User, request.user)
        # No scope given: the user's usual figures (a national reader of another role: national).
        national = data["scope"] == "national" if data.get("scope") else default_statistics_national(user)
        scope = selectors.statistics_scope(user, national=national)
        figures = statistics_figures(scope, programme=data["programme"], period=period, today=today)
        tables = [
            {
                "slug": t.slug,
                "title": t.title,
                "headings": list(t.headings),
                "rows": [list(r) for r in t.rows],
                "notes": list(t.notes),
            }
            for t in figures.statistics + figures.outcomes
        ]
        return Response(
            StatisticsOutput(
                {
                    "scope": scope.label,
                    "programme": data["programme"],
                    "start": period.start,
                    "end": period.end,
                    "tables": tables,
                    "computed_at": figures.computed_at,
                    "refreshed_every_seconds": figures.refresh_seconds,
                }
            ).data
        )
