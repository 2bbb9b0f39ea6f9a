"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against pytest-django's
live server, signs in through the real pages (password, then the TOTP code), checks every page with axe-core
(WCAG 2.2 AA) and saves a screenshot of each page to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, sync_playwright

from accounts.models import ProbationArea, User
from isotp import clock
from sessions import services
from sessions.models import Membership, ProgrammeGroup
from tests.factories import PASSWORD, VenueFactory
from tests.sessions.factories import make_group, trained_facilitator, waiting_referral

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server, settings) -> Iterator[Page]:
    # The live server serves static files through the finders, which know the plain names, not the manifest's
    # hashed ones (those are covered by the view tests, which render with the production storage).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # bypass_csp lets the test inject axe-core; the application's own pages are still served with their CSP.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


RunningGroup = tuple[ProgrammeGroup, list[Membership]]


@pytest.fixture
def running_group(area: ProbationArea, tm: User, facilitator: User, om: User) -> Callable[..., RunningGroup]:
    """Makes "Monday evening group" at a named venue, started on the Monday `weeks` weeks ago (so it has past
    sessions to take registers of), delivered by `facilitator` and a second trained facilitator, with `members`
    men of `om`'s caseload allocated before it started: `running_group(3)` is (the group, its memberships)."""

    def make(members: int, *, weeks: int = 2) -> RunningGroup:
        today = timezone.localdate()
        start = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks)  # a Monday
        venue = VenueFactory(area=area, name="Crewe Probation Office, group room 1")
        with clock.as_of(start):
            group = make_group(
                area,
                actor=tm,
                facilitators=[facilitator, trained_facilitator(area)],
                venue=venue,
                start_date=start,
                name="Monday evening group",
            )
            allocated = [
                services.allocate(actor=tm, group=group, referral=waiting_referral(area, om))
                for _ in range(members)
            ]
        return group, allocated

    return make


def check_accessibility(page: Page) -> None:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page; fail with the violations listed."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert not violations, f"axe-core found violations on {page.url}:\n" + "\n".join(violations)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def look(page: Page, name: str) -> None:
    """Every page a browser test visits: check it with axe-core and keep a screenshot."""
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    check_accessibility(page)


def current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in_through_pages(page: Page, user: User, shots: str | None = None) -> None:
    """Sign in as a person would: email and password, then the code from the authenticator."""
    page.goto("/accounts/sign-in/")
    if shots:
        look(page, f"{shots}-sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/two-factor/**")
    if shots:
        look(page, f"{shots}-two-factor")
    page.get_by_label("Security code").fill(current_code(user))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


@pytest.fixture
def sign_in(page: Page) -> Callable[[User], Page]:
    def _sign_in(user: User) -> Page:
        sign_in_through_pages(page, user)
        return page

    return _sign_in


# Issue 13: a page can be no wider than the screen while a table inside a scrolling region still runs past its
# right edge (the cell is cut off, or needs a sideways scroll in the box). Every visible element in <main> must sit
# inside the viewport. Visually hidden text (in a 1 px clipped box) is not seen, so it is not counted.
_OUTSIDE_THE_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const element of document.querySelectorAll("main *")) {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (element.closest("[hidden], [aria-hidden='true']")) continue;
    let seen = true;  // inside a visually hidden box (1 px, clipped: govuk-visually-hidden, a stacked table's head)
    for (let up = element.parentElement; up && up.tagName !== "MAIN"; up = up.parentElement) {
      const outer = up.getBoundingClientRect();
      if (outer.width <= 1 || outer.height <= 1) { seen = false; break; }
    }
    if (!seen) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      const name = element.tagName.toLowerCase() + (element.className ? "." + String(element.className).trim().split(/\\s+/).join(".") : "");
      out.push(`${name} "${(element.textContent || "").trim().slice(0, 40)}" from ${Math.round(box.left)} to ${Math.round(box.right)} px`);
    }
  }
  return out.slice(0, 5);
}"""


def outside_the_viewport(page: Page) -> list[str]:
    """The elements in <main> that run past the left or right edge of the viewport (at most five, described)."""
    return list(page.evaluate(_OUTSIDE_THE_VIEWPORT))


def assert_fits_the_viewport(page: Page, name: str = "") -> None:
    """Neither the document nor any element in <main> is wider than the viewport."""
    document, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert document <= viewport, f"{page.url} is {document} px wide at a {viewport} px viewport ({name})"
    outside = outside_the_viewport(page)
    assert not outside, f"{page.url} at {viewport} px ({name}): {outside}"


def fits_a_phone(page: Page, name: str) -> None:
    """The page as it is now, at 375 px: a screenshot (`name`-375) and nothing wider than the screen; then back to
    1280 px."""
    page.set_viewport_size({"width": 375, "height": 800})
    look(page, f"{name}-375")
    assert_fits_the_viewport(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})
