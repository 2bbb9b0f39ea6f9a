"""Platform: health check, error pages, security headers, the OpenAPI schema."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}
    assert response.json()["failed"] == []


def test_healthz_503_when_database_down(client):
    with mock.patch("isotp.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert response.json()["failed"] == ["database"]


def test_healthz_503_when_redis_down(client, settings):
    with mock.patch("isotp.views._redis_answers", side_effect=ConnectionError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"
    assert "redis" in response.json()["failed"]


def test_404_page_is_govuk_styled(login, tm):
    response = login(tm).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"OFFICIAL-SENSITIVE" in response.content


def test_csp_header_and_no_inline_script_without_nonce(login, tm):
    response = login(tm).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    html = response.content.decode()
    for tag in html.split("<script")[1:]:
        head = tag.split(">", 1)[0]
        assert "src=" in head or "nonce=" in head, f"inline script without nonce: {head}"


def test_openapi_schema_is_valid(login, tm):
    response = login(tm).get(reverse("api-schema") + "?format=json")
    assert response.status_code == 200
    validate(response.json())


def test_api_docs_page(login, tm):
    assert login(tm).get(reverse("api-docs")).status_code == 200


def test_api_unauthenticated_is_401(client):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401


def test_api_token_and_session(api, login, tm):
    assert api(tm).get("/api/v1/me/").json()["email"] == tm.email
    assert login(tm).get("/api/v1/me/").status_code == 200


def test_unverified_session_cannot_use_api(client, tm):
    client.force_login(tm)  # password only, no second factor
    assert client.get("/api/v1/me/").status_code == 401


def test_multiple_choice_checkboxes_render_as_checkboxes():
    from django import forms

    from isotp.templatetags.govuk import govuk_field

    class F(forms.Form):
        many = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )
        one = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    form = F()
    assert govuk_field(form["many"])["kind"] == "checkboxes"
    assert govuk_field(form["one"])["kind"] == "radios"


def test_greeting_skips_titles():
    from accounts.models import User

    assert User(full_name="Dr Max Lynch").get_short_name() == "Max"
    assert User(full_name="Priya Shah").get_short_name() == "Priya"


# --- navigation and the error summary (issue 7) ------------------------------------------------------------

NAVIGATION_BY_ROLE = {  # written out from the design, independently of the apps' NAV_ITEMS
    "treatment_manager": [
        "Home", "People", "Referrals", "Waiting list", "Groups", "One-to-one plans", "Reports", "Staff",
        "Quality", "Statistics", "Psychometrics", "Transfers", "Audit",
    ],
    "facilitator": ["Home", "My sessions", "Groups", "Reports", "Quality"],
    "offender_manager": ["Home", "My caseload", "Referrals", "Reports"],
    "area_admin": [
        "Home", "Staff", "Venues", "Closure dates", "Programmes", "Statistics", "Psychometrics", "Transfers",
        "Audit",
    ],
}  # fmt: skip


@pytest.mark.parametrize("role", sorted(NAVIGATION_BY_ROLE))
def test_each_role_sees_its_navigation_in_order(role, personas, login):
    response = login(personas[role]).get(reverse("home"))
    assert [item["label"] for item in response.context["navigation"]] == NAVIGATION_BY_ROLE[role]


def test_navigation_comes_from_the_apps_hooks_like_the_home_cards():
    from isotp.navigation import all_items

    modules = {type(item).__module__ for item in all_items()}
    assert modules == {"isotp.navigation"}  # one NavItem type, offered by each app's navigation.py
    assert {"Groups", "Reports", "Audit", "Psychometrics"} <= {item.label for item in all_items()}


def test_an_unknown_url_name_in_the_navigation_fails_the_system_check():
    from django.core.checks import run_checks

    from isotp.navigation import NavItem

    broken = (NavItem("Nowhere", "referrals:no_such_page", frozenset({"treatment_manager"}), position=5),)
    assert not [e for e in run_checks() if e.id == "isotp.E001"]
    with mock.patch("referrals.navigation.NAV_ITEMS", broken):
        errors = [e for e in run_checks() if e.id == "isotp.E001"]
    assert len(errors) == 1 and "referrals:no_such_page" in errors[0].msg


def test_an_unknown_url_name_fails_the_page_too(login, tm):
    from django.urls import NoReverseMatch

    from isotp.navigation import NavItem

    broken = (NavItem("Nowhere", "referrals:no_such_page", frozenset({"treatment_manager"}), position=5),)
    with mock.patch("referrals.navigation.NAV_ITEMS", broken), pytest.raises(NoReverseMatch):
        login(tm).get(reverse("home"))


def test_there_is_one_error_summary_template():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates"
    holders = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if 'class="govuk-error-summary"' in path.read_text()
    )
    assert holders == ["govuk/error_summary.html"]


@pytest.mark.parametrize(
    ("link", "href"),
    [
        ("id_name", "#id_name"),
        ("#id_name", "#id_name"),
        ("/referrals/1/tasks/#task-offences", "/referrals/1/tasks/#task-offences"),
    ],
)
def test_an_error_summary_link_is_a_field_on_the_page_or_a_url(link, href):
    from isotp.templatetags.govuk import error_href

    assert error_href(link) == href


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        ("planned", " govuk-tag--blue"),
        ("scheduled", " govuk-tag--blue"),
        ("running", " govuk-tag--green"),
        ("active", " govuk-tag--green"),
        ("delivered", " govuk-tag--green"),
        ("cancelled", " govuk-tag--red"),
        ("cancelled_by_provider", " govuk-tag--red"),
        ("removed", " govuk-tag--red"),
        ("completed", " govuk-tag--grey"),
        ("no_such_status", " govuk-tag--grey"),
    ],
)
def test_status_tag_colours_as_the_included_template_did(status, colour):
    """Issue 11: the per-row `{% include %}` of the status tag became a simple tag with the same markup."""
    from django.template import Context, Template

    html = Template("{% load govuk %}{% status_tag status label %}").render(
        Context({"status": status, "label": "<Label>"})
    )
    assert html == f'<strong class="govuk-tag{colour}">&lt;Label&gt;</strong>'
    from sessions.models import GroupStatus

    if status in GroupStatus.values:  # a choices member finds its colour as its value does
        member = GroupStatus(status)
        assert Template("{% load govuk %}{% status_tag s 'x' %}").render(Context({"s": member})) == (
            f'<strong class="govuk-tag{colour}">x</strong>'
        )


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        ("draft", " govuk-tag--grey"),
        ("awaiting_approval", " govuk-tag--blue"),
        ("queued", " govuk-tag--yellow"),
        ("rendering", " govuk-tag--yellow"),
        ("issued", " govuk-tag--green"),
        ("failed", " govuk-tag--red"),
        ("superseded", ""),
    ],
)
def test_report_tag_colours_as_the_included_template_did(status, colour):
    from django.template import Context, Template

    from reports.rules.statuses import ReportStatus

    html = Template("{% load govuk %}{% report_tag status label %}").render(
        Context({"status": status, "label": "Draft & more"})
    )
    assert html == f'<strong class="govuk-tag{colour}">Draft &amp; more</strong>'
    # A choices member (not only the string read from the database) finds its colour too.
    if status in {s.value for s in ReportStatus}:
        member = ReportStatus(status)
        assert Template("{% load govuk %}{% report_tag s 'x' %}").render(Context({"s": member})) == (
            f'<strong class="govuk-tag{colour}">x</strong>'
        )


def test_jinja_rows_escape_and_filter_as_django_does():
    """Issue 11: the longest lists' rows are Jinja2 (isotp/jinja.py). They escape as Django does (a safe string
    once, anything else always), use Django's filters by Django's names and semantics (`default` on a falsy value,
    `date` with Django's format), reverse URLs, and render a missing attribute as nothing."""
    import datetime as dt

    from django.template import Context, Template, engines
    from django.utils.safestring import mark_safe

    env = engines["jinja2"].env
    source = (
        "{{ name }}|{{ safe }}|{{ empty|default('Not recorded') }}|{{ day|date('j F Y') }}|"
        "{{ url('referrals:waiting_list') }}|{{ row.missing }}|{{ n|pluralize }}"
    )
    context = {
        "name": "<script>O'Brien & co</script>",
        "safe": mark_safe("<b>ok</b>"),
        "empty": "",
        "day": dt.date(2026, 12, 3),
        "row": object(),
        "n": 2,
    }
    jinja = env.from_string(source).render(context)
    django_source = (
        "{{ name }}|{{ safe }}|{{ empty|default:'Not recorded' }}|{{ day|date:'j F Y' }}|"
        "{% url 'referrals:waiting_list' %}|{{ row.missing }}|{{ n|pluralize }}"
    )
    # The one difference: an apostrophe is `&#39;` (markupsafe) where Django writes `&#x27;`, the same character.
    assert jinja.replace("&#39;", "&#x27;") == Template(django_source).render(Context(context))
    assert jinja.startswith(
        "&lt;script&gt;O&#39;Brien &amp; co&lt;/script&gt;|<b>ok</b>|Not recorded|3 December 2026|"
    )
    # The tag hands its keyword arguments to the row template and its (escaped) output back unescaped.
    html = Template(
        '{% load govuk %}{% jinja_rows "referrals/_waiting_rows.jinja" rows=rows groups=groups %}'
    ).render(Context({"rows": [], "groups": []}))
    assert html == ""


def test_jinja_filters_and_simple_tags_apply_as_in_django():
    """Review of issue 11: Django's engine hands `date` and `time` a datetime in local time, tells an autoescaping
    filter that escaping is on, and keeps a safe value safe through an `is_safe` filter; the Jinja2 bridge does the
    same. At 23:30 UTC on 1 June it is already 2 June in London: a row's date must say 2 June in both engines.
    The simple tags the rows call (isotp.jinja.SIMPLE_TAGS) are globals that answer as the tags do."""
    import datetime as dt

    from django.template import engines
    from django.utils.safestring import mark_safe

    late = dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC)
    context = {
        "late": late,
        "text": "a <b>\nline",
        "safe": mark_safe("<i>x</i>"),
        "day": dt.date(2026, 12, 3),
        "label": "Issued <now>",  # a variable: Django treats a literal string in a template as safe
    }
    cases = [  # (Jinja2, Django): the same output expected
        ("{{ late|date('j F Y H:i') }}", "{{ late|date:'j F Y H:i' }}"),
        ("{{ late|time('H:i') }}", "{{ late|time:'H:i' }}"),
        ("{{ text|linebreaksbr }}", "{{ text|linebreaksbr }}"),
        ("{{ safe|upper }}", "{{ safe|upper }}"),
        ("{{ text|upper }}", "{{ text|upper }}"),
        ("{{ day|govuk_date }}", "{% load govuk %}{{ day|govuk_date }}"),
        (
            "{{ programme_name('isotp', 'one_to_one') }}",
            "{% load referral_pages %}{% programme_name 'isotp' 'one_to_one' %}",
        ),
        ("{{ programme_name(none) }}", "{% load referral_pages %}{% programme_name None %}"),
        ("{{ report_tag('issued', label) }}", "{% load govuk %}{% report_tag 'issued' label %}"),
        ("{{ status_tag('active', 'Active') }}", "{% load govuk %}{% status_tag 'active' 'Active' %}"),
    ]
    for jinja_source, django_source in cases:
        jinja = engines["jinja2"].from_string(jinja_source).render(context)
        django = engines["django"].from_string(django_source).render(context)
        assert jinja == django, (jinja_source, jinja, django)
    assert engines["jinja2"].from_string("{{ late|date('j F Y') }}").render(context) == "2 June 2026"


def test_jinja_missing_attribute_renders_nothing_with_debug_on(settings):
    """Review of issue 11: Django's Jinja2 backend chooses DebugUndefined when DEBUG is on, which printed
    "{{ no such element ... }}" in the waiting list (a server run with DJANGO_DEBUG=true) for a person with no
    offender manager. The environment fixes ChainableUndefined, so a missing attribute (or variable) renders as
    nothing whatever DEBUG says."""
    from django.template.backends.jinja2 import Jinja2

    settings.DEBUG = True
    backend = Jinja2(
        {
            "NAME": "jinja2-debug",
            "DIRS": [],
            "APP_DIRS": False,
            "OPTIONS": {"environment": "isotp.jinja.environment"},
        }
    )
    assert (
        backend.from_string("[{{ row.missing }}][{{ nothing.at.all }}]").render({"row": object()}) == "[][]"
    )
