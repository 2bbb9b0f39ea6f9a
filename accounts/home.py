"""Home page cards for area administrators: staff without a second factor, facilitators without a current
supervisor (each links to the staff list filtered to exactly those people) and closure dates coming up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from accounts import permissions, selectors
from isotp import clock

SOON_DAYS = 56


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not permissions.is_area_admin(user):
        return []
    staff = reverse("accounts:staff_list")
    today = clock.today()
    soon = selectors.closures_for(user).filter(
        date__gte=today, date__lte=today + dt.timedelta(days=SOON_DAYS)
    )
    first = soon.order_by("date").first()
    return [
        {
            "title": "Staff without a second factor",
            "count": selectors.staff_for_list(user, needs="second_factor").count(),
            "url": f"{staff}?{urlencode({'needs': 'second_factor'})}",
            "link_text": "See who has not set up an authenticator",
            "description": "They cannot finish signing in until they do.",
        },
        {
            "title": "Facilitators without a supervisor",
            "count": selectors.staff_for_list(user, needs="supervisor").count(),
            "url": f"{staff}?{urlencode({'needs': 'supervisor'})}",
            "link_text": "See facilitators without a supervisor",
            "description": "Staff deliver under a treatment manager's supervision at all times (000).",
        },
        {
            "title": "Closure dates in the next 8 weeks",
            "count": soon.count(),
            "url": reverse("accounts:closure_list"),
            "link_text": "View closure dates",
            "description": f"Next: {first.date:%-d %B} ({first.reason})" if first else "None coming up.",
        },
    ]
