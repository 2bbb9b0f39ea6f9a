"""The load test's mix (issue 11), driven headless by bench/loadtest/harness.py against 127.0.0.1 only.

Each virtual user is one member of staff from `manage.py loadtest_fixture` (a verified session cookie for the
pages, a token for the API, and the records their role opens). Requests are named by their URL pattern so the
table has one row per endpoint. `ping` is the floor: the cheapest page behind the whole middleware stack.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections.abc import Callable
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

with open(os.environ["LOADTEST_USERS_FILE"]) as _f:
    USERS = json.load(_f)["users"]
_next = itertools.count()

ELIGIBILITY = {
    "sex": "male",
    "date_of_birth": "1980-05-01",
    "planned_start": "2027-03-01",
    "iq": None,
    "offences": ["iioc_possess"],
    "rm2000_s": "medium",
    "deviance": "low",
    "rosh": "medium",
    "supervision_months": 36,
    "legal_basis": "community_order",
}
OUTCOMES = ["attended", "attended", "late"]


@events.test_start.add_listener
def _only_localhost(environment, **_kwargs) -> None:
    host = urlparse(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("The load test drives 127.0.0.1 only.")


class Staff(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        me = USERS[next(_next) % len(USERS)]
        self.me = me
        self.rng = random.Random(me["session"])
        self.client.cookies.set("sessionid", me["session"])
        self.api_headers = {"Authorization": f"Token {me['token']}"}
        common: list[tuple[int, Callable[[], None]]] = [
            (3, self.ping),
            (2, lambda: self.page("/", "home")),
            (1, lambda: self.page("/notifications/", "notifications")),
            (1, lambda: self.api("/api/v1/notifications/", "api notifications")),
        ]
        by_role = {
            "offender_manager": [
                (3, lambda: self.page("/people/", "people")),
                (1, lambda: self.page(f"/people/?search={self.rng.choice('SJTBW')}", "people ?search")),
                (3, lambda: self.one("people", "/people/{}/", "person")),
                (2, lambda: self.page("/referrals/", "referrals")),
                (3, lambda: self.one("referrals", "/referrals/{}/", "referral")),
                (2, lambda: self.api("/api/v1/people/", "api people")),
                (1, lambda: self.one("people", "/api/v1/people/{}/", "api person", api=True)),
                (2, lambda: self.api("/api/v1/referrals/?status=submitted", "api referrals ?status")),
                (1, lambda: self.one("referrals", "/api/v1/referrals/{}/", "api referral", api=True)),
                (1, self.eligibility),
            ],
            "treatment_manager": [
                (2, lambda: self.page("/referrals/", "referrals")),
                (2, lambda: self.page("/referrals/?status=submitted&programme=isotp", "referrals ?status")),
                (3, lambda: self.one("referrals", "/referrals/{}/", "referral")),
                (2, lambda: self.page("/waiting-list/?programme=isotp&format=group", "waiting list")),
                (2, lambda: self.page("/groups/", "groups")),
                (3, lambda: self.one("groups", "/groups/{}/", "group")),
                (1, lambda: self.page("/one-to-one-plans/", "plans")),
                (1, lambda: self.page("/people/", "people")),
                (1, lambda: self.one("people", "/people/{}/", "person")),
                (1, lambda: self.page("/reports/", "reports")),
                (2, lambda: self.api("/api/v1/referrals/", "api referrals")),
                (
                    1,
                    lambda: self.api(
                        "/api/v1/waiting-list/?programme=isotp&format=group", "api waiting list"
                    ),
                ),
                (2, lambda: self.api("/api/v1/groups/", "api groups")),
                (1, lambda: self.one("groups", "/api/v1/groups/{}/", "api group", api=True)),
                (1, lambda: self.api("/api/v1/one-to-one-plans/", "api plans")),
                (1, lambda: self.api("/api/v1/staff/", "api staff")),
                (1, self.eligibility),
            ],
            "facilitator": [
                (3, lambda: self.page("/my-sessions/", "my sessions")),
                (2, lambda: self.one("groups", "/groups/{}/", "group")),
                (2, lambda: self.api("/api/v1/my/sessions/", "api my sessions")),
                (2, self.feed),
                (2, self.register),
                (1, lambda: self.page("/groups/", "groups")),
            ],
            "area_admin": [
                (2, lambda: self.page("/staff/", "staff")),
                (1, lambda: self.page("/venues/", "venues")),
                (1, lambda: self.page("/closures/", "closures")),
                (1, lambda: self.page("/audit/", "audit")),
                (1, lambda: self.page("/programmes/", "programmes")),
                (1, lambda: self.api("/api/v1/staff/", "api staff")),
                (1, lambda: self.api("/api/v1/audit-events/", "api audit events")),
                (1, lambda: self.api("/api/v1/programmes/", "api programmes")),
            ],
        }
        mix = common + by_role[me["role"]]
        self.choices = [fn for _, fn in mix]
        self.weights = [w for w, _ in mix]

    @task
    def one_request(self) -> None:
        self.rng.choices(self.choices, self.weights)[0]()

    # --- requests ---------------------------------------------------------------------------------------------

    def _check(self, response, name: str) -> None:
        if response.status_code >= 400 or (response.status_code in (301, 302) and "sign-in" in response.text):
            response.failure(f"{name}: {response.status_code}")
        elif response.url and "/accounts/" in response.url:
            response.failure(f"{name}: sent to sign in")
        else:
            response.success()

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            self._check(response, name)

    def api(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, headers=self.api_headers, catch_response=True) as response:
            self._check(response, name)

    def one(self, key: str, pattern: str, name: str, api: bool = False) -> None:
        ids = self.me.get(key) or []
        if not ids:
            return
        path = pattern.format(self.rng.choice(ids))
        (self.api if api else self.page)(path, name)

    def ping(self) -> None:
        self.page("/ping/", "ping")

    def feed(self) -> None:
        with self.client.get(
            f"/calendar/{self.me['feed']}.ics", name="calendar feed", catch_response=True
        ) as r:
            self._check(r, "calendar feed")

    def eligibility(self) -> None:
        with self.client.post(
            "/api/v1/eligibility/check/",
            json=ELIGIBILITY,
            name="api eligibility check",
            headers=self.api_headers,
            catch_response=True,
        ) as response:
            self._check(response, "api eligibility check")

    def register(self) -> None:
        """A register submitted: the whole group's outcomes for a delivered session of a running group, in one
        PUT (issue 8). Only attended or late, so no catch-up is opened and the next run finds the same state."""
        registers = self.me.get("registers") or []
        if not registers:
            return
        register = self.rng.choice(registers)
        body = {
            "records": [{"membership": m, "outcome": self.rng.choice(OUTCOMES)} for m in register["members"]],
            "content_delivered": "Load test register",
        }
        with self.client.put(
            f"/api/v1/sessions/{register['session']}/register/",
            json=body,
            name="api register submitted",
            headers=self.api_headers,
            catch_response=True,
        ) as response:
            self._check(response, "api register submitted")
