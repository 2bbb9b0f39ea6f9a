"""Hostile input on every page form that writes (issue 12): a table of the POST views, each attacked.

`FORMS` names every page (non-API) URL whose view answers POST; `test_the_table_names_every_page_that_takes_a_post`
finds them by posting to every page route of the permission matrix (a view that does not take POST answers 405),
so a new form fails the suite until it joins the table. Each form is then read from its own page (its inputs, with
plausible values where empty) and posted with, in every field of the kind attacked: NUL bytes, control characters,
1 MB strings, dates in year 1 and 9999, negative and huge numbers, HTML and script, and the mass-assignment fields
`area`, `status`, `created_by`, `role`, `public_id`. Each answer is the GOV.UK error summary naming the field (a form
re-rendered, 200 or 400), a redirect when the value is acceptable, or 413 for a body over the limit; never a 5xx,
never a script unescaped on the page that shows the value back, never a half-saved record.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse

from tests.conftest import verified_client
from tests.test_permission_matrix import ROUTES

pytestmark = pytest.mark.django_db

ROLE_ORDER = ("treatment_manager", "offender_manager", "facilitator", "area_admin")


def _role(route) -> str:
    return next(r for r in ROLE_ORDER if r in route.roles)


def _page_routes() -> dict[str, Any]:
    """One matrix route per page URL name (its POST route when the matrix has one), with a role let through."""
    found: dict[str, Any] = {}
    for route in ROUTES:
        if route.api or route.public or not route.roles:
            continue
        if route.name not in found or route.method == "post":
            found[route.name] = route
    return found


PAGES = _page_routes()


def _url(route, area, personas) -> str:
    with transaction.atomic():
        kwargs = route.kwargs(area, personas) if route.kwargs else {}
    return reverse(route.name, kwargs=kwargs)


def _any_url(name: str) -> str:
    """The route's URL with made-up arguments: a view refuses a method (405) before it looks for a record."""
    import uuid

    from django.urls import NoReverseMatch, get_resolver

    resolver = get_resolver()
    *namespaces, short = name.split(":")
    for namespace in namespaces:
        resolver = resolver.namespace_dict[namespace][1]
    from django.urls.converters import IntConverter, UUIDConverter

    for possibility, _pattern, _defaults, converters in resolver.reverse_dict.getlist(short):
        kwargs = {}
        for param in possibility[0][1]:
            converter = converters.get(param)
            kwargs[param] = (
                str(uuid.uuid4())
                if isinstance(converter, UUIDConverter)
                else "1"
                if isinstance(converter, IntConverter)
                else "flow"
            )
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot reverse {name}")


SCRIPT = '<script>alert("isotp")</script><img src=x onerror=alert(1)>'
HOSTILE_UUID = "00000000-0000-0000-0000-0000000000ff"
SKIP_APPS = {"audit", "admin", "auth", "contenttypes", "axes", "otp_totp", "otp_static", "django_otp"}


@dataclass
class Field:
    tag: str
    type: str
    name: str
    value: str | None
    numeric: bool = False
    date: bool = False
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)


class _Forms(HTMLParser):
    """The POST forms of a page with their inputs, textareas, selects and named buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = Form(a.get("action") or "") if (a.get("method") or "").lower() == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None and a.get("value"):
                self._select.options.append(a["value"] or "")
                if "selected" in a:
                    self._select.value = a["value"]
            return
        name = a["name"] or ""
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            self._form.fields.append(
                Field(
                    "input",
                    kind,
                    name,
                    a.get("value"),
                    numeric=a.get("inputmode") == "numeric" or kind == "number",
                    date="govuk-date-input__input" in (a.get("class") or ""),
                    checked="checked" in a,
                )
            )
        elif tag == "textarea":
            self._textarea = Field("textarea", "text", name, "")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field("select", "select", name, None)
            self._form.fields.append(self._select)
        elif tag == "button" and a.get("value") is not None:
            self._form.fields.append(Field("button", "submit", name, a.get("value")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value = (self._textarea.value or "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms_on(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _is_text(f: Field) -> bool:
    return (f.tag == "textarea" or f.type in {"text", "email", "search", "tel"}) and not (f.numeric or f.date)


def _base(fields: list[Field]) -> dict[str, Any]:
    """Every field with its current value, or a plausible one where empty (so forms can get past the basics)."""
    data: dict[str, Any] = {}
    for f in fields:
        if f.type in {"radio", "checkbox"}:
            if f.checked or f.name not in data:
                data[f.name] = f.value or "on"
        elif f.type == "submit":
            data.setdefault(f.name, f.value)
        elif f.tag == "select":
            data[f.name] = f.value if f.value is not None else (f.options[0] if f.options else "")
        elif f.value:
            data[f.name] = f.value
        elif f.date:
            part = f.name.rsplit("_", 1)[-1]
            born = "birth" in f.name
            data[f.name] = {"0": "15", "1": "1", "2": "1980" if born else "2026"}.get(part, "1")
        elif f.numeric:
            data[f.name] = "1"
        elif f.type == "hidden":
            data[f.name] = ""
        elif f.type == "time":
            data[f.name] = "18:00"
        else:
            data[f.name] = "A note"
    return data


def _snapshot() -> dict[str, str]:
    """A digest of every row of every project table but the audit trail (which records refusals too)."""
    out = {}
    for model in apps.get_models():
        if model._meta.app_label in SKIP_APPS or model.__module__.startswith("django."):
            continue
        rows = list(model._default_manager.order_by("pk").values_list())
        out[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def _named(summary: str, name: str) -> bool:
    """The error summary links to the field (a day/month/year group: to its first part)."""
    names = {name, re.sub(r"_[012]$", "", name)}
    return any(f'href="#id_{n}' in summary or f'href="#{n}' in summary for n in names)


def _attack_fields(fields: list[Field], kind: str) -> list[Field]:
    if kind == "text":
        return [f for f in fields if _is_text(f)]
    if kind == "number":
        return [f for f in fields if f.numeric and not f.date]
    if kind == "date":
        return [f for f in fields if f.date]
    return []


def _date_values(fields: list[Field], year: str, month: str, day: str) -> dict[str, str]:
    return {f.name: {"0": day, "1": month, "2": year}[f.name.rsplit("_", 1)[-1]] for f in fields}


MUST_REFUSE: list[tuple[str, str, Any]] = [
    ("NUL byte", "text", "before\x00after"),
    ("1 MB string", "text", "x" * 1_000_000),
    ("year 1", "date", ("1", "1", "1")),
    ("year 9999", "date", ("9999", "12", "31")),
    ("huge number", "number", "1" + "0" * 30),
]
MAY_ACCEPT: list[tuple[str, str, Any]] = [
    ("negative number", "number", "-1"),
    ("control characters", "text", "bell\x07 escape\x1b[31m del\x7f tab\t"),
    ("HTML and script", "text", SCRIPT),
]

# Forms whose number fields are bounded on the field: a huge or negative number is in the error summary, linked to
# each field attacked (elsewhere a number may be refused by the service or accepted, so only a 5xx is a failure).
BOUNDED_NUMBERS = {"referrals:rm2000_calculator"}


# Every page URL that a form on a page posts to, and every page action the matrix posts to (buttons): the table.
FORMS: list[str] = [
    "accounts:api_token_revoke",
    "accounts:closure_remove",
    "accounts:password_change",
    "accounts:staff_deactivate",
    "accounts:staff_invite",
    "accounts:staff_reactivate",
    "accounts:staff_reset_second_factor",
    "accounts:staff_role",
    "accounts:staff_supervision_end",
    "accounts:staff_supervisor",
    "accounts:training_remove",
    "accounts:venue_add",
    "accounts:venue_edit",
    "accounts:venue_reinstate",
    "accounts:venue_retire",
    "accounts:your_account",
    "assessments:battery_import",
    "assessments:deviance_override",
    "assessments:record",
    "dataprotection:retention_erase",
    "dataprotection:subject_access",
    "notifications:read",
    "notifications:read_all",
    "programme_sessions:catch_up_cancel",
    "programme_sessions:catch_up_exception",
    "programme_sessions:catch_up_new",
    "programme_sessions:catch_up_outcome",
    "programme_sessions:feed_rotate",
    "programme_sessions:group_allocate",
    "programme_sessions:group_close",
    "programme_sessions:group_create_step",
    "programme_sessions:member_remove",
    "programme_sessions:plan_close",
    "programme_sessions:plan_create_step",
    "programme_sessions:plan_session_cancel",
    "programme_sessions:plan_session_reschedule",
    "programme_sessions:programme_edit",
    "programme_sessions:referral_breach",
    "programme_sessions:referral_warning",
    "programme_sessions:session_cancel",
    "programme_sessions:session_register",
    "programme_sessions:session_reschedule",
    "quality:audit_pack_request",
    "quality:facilitator_record",
    "quality:mark_recorded",
    "quality:monitoring_form",
    "quality:reoffence_delete",
    "quality:reoffence_edit",
    "quality:reoffence_new",
    "quality:settings",
    "quality:supervision_new",
    "referrals:conviction_add",
    "referrals:conviction_remove",
    "referrals:deviance_record",
    "referrals:ogrs3_calculator",
    "referrals:ogrs3_record",
    "referrals:person_create",
    "referrals:person_edit",
    "referrals:referral_assess",
    "referrals:referral_check",
    "referrals:referral_offences",
    "referrals:referral_other",
    "referrals:referral_programme",
    "referrals:referral_risk",
    "referrals:referral_start",
    "referrals:referral_status",
    "referrals:rm2000_calculator",
    "referrals:rm2000_record",
    "referrals:rosh_record",
    "referrals:sentence_record",
    "reports:report_amend",
    "reports:report_approve",
    "reports:report_complete",
    "reports:report_edit",
    "reports:report_open",
    "reports:report_retry",
    "reports:report_return",
    "transfers:decide",
    "transfers:request",
]


def _build(route, area, personas) -> str | None:
    try:
        return _url(route, area, personas)
    except (
        Exception
    ):  # builders of different routes may clash in one database; the route is reached elsewhere
        return None


def _posted_to(area, personas) -> set[str]:
    """The URL names that the POST forms of every page (as a role the matrix lets through) submit to."""
    from django.urls import Resolver404, resolve

    found = {name for name, route in PAGES.items() if route.method == "post"}
    for _name, route in sorted(PAGES.items()):
        if route.method != "get":
            continue
        url = _build(route, area, personas)
        if url is None:
            continue
        response = verified_client(personas[_role(route)]).get(url + route.query)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for form in _forms_on(response.content.decode()):
            action = form.action.split("?")[0] or url
            try:
                match = resolve(action)
            except Resolver404:
                continue
            name = ":".join([*match.namespaces, match.url_name]) if match.namespaces else match.url_name
            if not name.startswith(("api-", "admin:")):
                found.add(name)
    return found


def test_the_table_names_every_page_form_that_writes(area, personas):
    """A new form (or a new button that posts) fails here until it joins FORMS."""
    discovered = _posted_to(area, personas)
    missing = sorted(discovered - set(FORMS) - {"accounts:logout"})
    print("\nDISCOVERED", sorted(discovered))
    assert not missing, f"Add these page forms to FORMS: {missing}"


def _form_of(route, url: str, client) -> list[Field]:
    """The fields of the form on the route's own page that posts to it; else the matrix's POST data."""
    response = client.get(url + route.query)
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        for form in _forms_on(response.content.decode()):
            if (form.action.split("?")[0] or url) == url:
                return form.fields
    return (
        [Field("input", "text", k, str(v)) for k, v in (route.data or {}).items()]
        if isinstance(route.data, dict)
        else []
    )


def _unchanged(before: dict[str, str]) -> list[str]:
    after = _snapshot()
    return [label for label in before if before[label] != after.get(label)]


@dataclass
class _FormAttack:
    """One form under attack: posts hostile values and collects what did not hold."""

    name: str
    url: str
    client: Any
    fields: list[Field]
    base: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    def post(self, data: dict[str, Any]) -> tuple[Any, dict[str, str]]:
        before = _snapshot()
        response = self.client.post(self.url, data)
        if response.status_code >= 500:
            self.problems.append(f"{response.status_code} for {sorted(data)[:6]}")
        return response, before

    def must_refuse(self, attack: str, kind: str, value: Any) -> None:
        attacked = _attack_fields(self.fields, kind)
        if not attacked:
            return
        values = _date_values(attacked, *value) if kind == "date" else {f.name: value for f in attacked}
        response, before = self.post({**self.base, **values})
        if response.status_code in (301, 302):
            self._refusal_shown_after_redirect(attack, response, before)
            return
        if response.status_code == 413:
            return
        if response.status_code < 500:
            changed = _unchanged(before)
            if changed:
                self.problems.append(f"{attack}: refused but saved {changed}")
        if response.status_code in (200, 400) and response["Content-Type"].startswith("text/html"):
            self._error_summary_names(attack, kind, attacked, response)

    def _refusal_shown_after_redirect(self, attack: str, response: Any, before: dict[str, str]) -> None:
        # A button's form may answer a refusal by going back to its page with the error shown.
        shown = self.client.get(response["Location"]).content.decode(errors="replace")
        refusal_shown = "govuk-error-summary" in shown or (
            "govuk-notification-banner" in shown and "govuk-notification-banner--success" not in shown
        )
        if _unchanged(before) or not refusal_shown:
            self.problems.append(f"{attack}: accepted ({response['Location']})")

    def _error_summary_names(self, attack: str, kind: str, attacked: list[Field], response: Any) -> None:
        html = response.content.decode()
        summary_expected = kind != "number" or self.name in BOUNDED_NUMBERS
        if not summary_expected:
            return
        if "govuk-error-summary" not in html:
            self.problems.append(f"{attack}: {response.status_code} without the error summary")
            return
        from tests.pages import error_summary

        summary = error_summary(response)
        unnamed = [
            f.name
            for f in attacked
            if not _named(summary, f.name.rsplit("_", 1)[0] if kind == "date" else f.name)
        ]
        if unnamed:
            self.problems.append(f"{attack}: no error on {unnamed}")

    def may_accept(self, attack: str, kind: str, value: Any) -> None:
        attacked = _attack_fields(self.fields, kind)
        if not attacked:
            return
        response, before = self.post({**self.base, **{f.name: value for f in attacked}})
        refused = "govuk-error-summary" in response.content.decode(errors="replace")
        if refused and response.status_code < 500 and _unchanged(before):
            self.problems.append(f"{attack}: refused but saved {_unchanged(before)}")
        if kind == "number" and self.name in BOUNDED_NUMBERS:
            from tests.pages import error_summary

            summary = error_summary(response)
            unnamed = [f.name for f in attacked if not _named(summary, f.name)]
            if not refused or unnamed:
                self.problems.append(f"{attack}: not refused on {unnamed or 'the page'}")
        if attack == "HTML and script":
            self._escaped(response)

    def _escaped(self, response: Any) -> None:
        pages = [response]
        if response.status_code in (301, 302):
            pages.append(self.client.get(response["Location"]))
        for page in pages:
            html = page.content.decode(errors="replace")
            if '<script>alert("isotp")' in html or "<img src=x onerror" in html:
                self.problems.append(f"script unescaped on {page.request['PATH_INFO']}")

    def mass_assignment(self, personas: dict[str, Any], other_area: Any, other_om: Any) -> None:
        from django.apps import apps as registry

        own = {f.name for f in self.fields}
        hostile = {
            "area": str(other_area.pk),
            "status": "closed",
            "created_by": str(other_om.pk),
            "role": "area_admin",
            "public_id": HOSTILE_UUID,
        }
        hostile = {k: v for k, v in hostile.items() if k not in own}
        roles = {u.pk: u.role for u in personas.values()}
        models = [m for m in registry.get_models() if m._meta.app_label not in SKIP_APPS]
        in_other_area = {
            m._meta.label: m._default_manager.filter(area=other_area).count()
            for m in models
            if any(f.name == "area" for f in m._meta.fields)
        }
        self.post({**self.base, **hostile})
        for u in personas.values():
            u.refresh_from_db()
            if u.role != roles[u.pk]:
                self.problems.append(f"mass assignment changed {u.email}'s role")
        for m in models:
            if (
                any(f.name == "public_id" for f in m._meta.fields)
                and m._default_manager.filter(public_id=HOSTILE_UUID).exists()
            ):
                self.problems.append(f"mass assignment set a {m._meta.label} public_id")
            if (
                m._meta.label in in_other_area
                and m._default_manager.filter(area=other_area).count() != in_other_area[m._meta.label]
            ):
                self.problems.append(f"mass assignment moved a {m._meta.label} to another area")


@pytest.mark.parametrize("name", FORMS)
def test_hostile_input_on_every_form(name, area, personas, other_area, other_om):
    route = PAGES[name]
    url = _build(route, area, personas)
    if url is None:
        pytest.skip("the route's builder clashed")  # pragma: no cover
    client = verified_client(personas[_role(route)])
    fields = _form_of(route, url, client)
    form = _FormAttack(name=name, url=url, client=client, fields=fields, base=_base(fields))
    for attack, kind, value in MUST_REFUSE:
        form.must_refuse(attack, kind, value)
    for attack, kind, value in MAY_ACCEPT:
        form.may_accept(attack, kind, value)
    form.mass_assignment(personas, other_area, other_om)
    assert not form.problems, form.problems
