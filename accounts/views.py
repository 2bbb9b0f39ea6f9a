"""Signing in (password then second factor), signing out, and the managers' staff, venue and closure pages."""

from __future__ import annotations

import base64
from io import BytesIO
from typing import Any, cast

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import permissions, selectors, services
from accounts.forms import (
    ApiTokenForm,
    ClosureForm,
    EndSupervisionForm,
    PasswordChangeForm,
    SignInForm,
    SupervisorForm,
    TokenForm,
    TrainingRecordForm,
)
from accounts.models import Role, User
from accounts.services import administration as area_services
from isotp.dates import long_date
from isotp.errors import DomainConflict
from isotp.forms import add_refusal
from isotp.redirects import next_path
from isotp.sorting import Column, Sortable, query_with_sort


class SignInView(auth_views.LoginView):
    """Step one: email and password (django-axes counts failures and locks the account)."""

    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = False

    def form_invalid(self, form: Any) -> HttpResponse:
        """A refused password on a real account goes into that account's sign-in history (never the email tried
        on an unknown one)."""
        email = str(form.data.get("username", "")).strip().lower()[:254]
        user = User.objects.filter(email=email, is_active=True).first() if email else None
        if user is not None:
            outcome = "locked_out" if getattr(self.request, "axes_locked_out", False) else "wrong_password"
            services.record_sign_in(
                user=user, outcome=outcome, user_agent=self.request.META.get("HTTP_USER_AGENT", "")
            )
        return super().form_invalid(form)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): 429 with Retry-After (the seconds left of the
    cool-off), worded for what is locked, the account or this computer's address (issue 12, tester no. 4)."""
    from axes.helpers import get_client_username
    from django.utils import timezone

    lock = selectors.sign_in_lock(
        username=get_client_username(request, credentials) or "",
        ip_address=getattr(request, "axes_ip_address", None),
        now=timezone.now(),
    )
    minutes = -(-lock.seconds_left // 60)
    response = render(
        request,
        "accounts/locked_out.html",
        {"on_account": lock.on_account, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(lock.seconds_left)
    return response


def _safe_next(request: HttpRequest) -> str:
    return next_path(request) or "/"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Step two: the code from the authenticator app; first-time users are sent to enrol."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_is_allowed()[0] and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            # A new session key once fully signed in: a key seen before the second factor is worth nothing.
            request.session.cycle_key()
            user = cast(User, request.user)
            services.record_sign_in(
                user=user, outcome="signed_in", user_agent=request.META.get("HTTP_USER_AGENT", "")
            )
            return redirect(_safe_next(request))
        services.record_sign_in(
            user=cast(User, request.user),
            outcome="wrong_code",
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        form.add_error("token", "The security code is not correct or has expired. Enter the current code")
    return render(request, "accounts/two_factor.html", {"form": form, "next": _safe_next(request)})


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: show a QR code for a new authenticator and confirm it with one code."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:two_factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.confirm_totp_device(actor=request.user, device=device)  # type: ignore[arg-type]
            otp_login(request, device)
            request.session.cycle_key()
            messages.success(
                request, "Your authenticator app is set up. You will need it every time you sign in."
            )
            return redirect(_safe_next(request))
        form.add_error("token", "The security code is not correct. Enter the code currently shown in the app")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": _qr_svg(device.config_url), "secret": secret},
    )


class SignOutView(auth_views.LogoutView):
    template_name = "accounts/signed_out.html"


# --- Your account: sign-in history, password, API tokens ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def your_account(request: HttpRequest) -> HttpResponse:
    """Any member of staff: their recent sign-ins, their API tokens (issue and revoke), a link to change password.

    A new token's key is shown once, on the page that answers the POST.
    """
    user = cast(User, request.user)
    permissions.require(permissions.is_staff_member(user))
    longest = settings.API_TOKEN_LIFETIME_DAYS
    form = ApiTokenForm(request.POST or None, longest=longest)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.issue_api_token(
                actor=user, name=form.cleaned_data["name"], lifetime_days=form.cleaned_data["lifetime_days"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = ApiTokenForm(longest=longest)
    return render(
        request,
        "accounts/your_account.html",
        {
            "sign_ins": selectors.sign_ins_of(user),
            "tokens": selectors.api_tokens_of(user, user),
            "form": form,
            "new_key": new_key,
            "outcomes": services.SIGN_IN_OUTCOMES,
        },
        status=201 if new_key else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Any member of staff: change their password; their other sessions end and their API tokens are revoked."""
    user = cast(User, request.user)
    permissions.require(permissions.is_staff_member(user))
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        revoked = services.change_password(actor=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)  # this session stays signed in; every other one ends
        request.session.cycle_key()
        note = f" and {revoked} API token{'s' if revoked != 1 else ''} revoked" if revoked else ""
        messages.success(
            request, f"Your password has been changed. Your other sessions have been signed out{note}"
        )
        return redirect("accounts:your_account")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_http_methods(["POST"])
def api_token_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    """The token's owner, or an administrator of the owner's area: revoke it at once."""
    user = cast(User, request.user)
    token = selectors.api_token(user, public_id)
    try:
        services.revoke_api_token(actor=user, token=token)
    except DomainConflict as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"Token '{token.name}' revoked")
    if token.user_id != user.pk:
        return redirect("accounts:staff_detail", public_id=token.user.public_id)
    return redirect("accounts:your_account")


# --- Managers' pages --------------------------------------------------------------------------------------


# Issue 13: sorted on the server across every page (isotp.sorting says why not in the browser).
STAFF_SORT = Sortable(
    (Column("name", "Name", ("full_name",)), Column("role", "Role", ("role",))),
    default="name",
)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    """Managers: the area's staff with roles, training and supervisor."""
    permissions.require(permissions.can_view_staff(request.user))
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    needs = request.GET.get("needs", "")
    needs = needs if needs in selectors.STAFF_NEEDS else ""
    sort = STAFF_SORT.parse(request.GET.get("sort"))
    staff = STAFF_SORT.order_queryset(selectors.staff_for_list(request.user, role, needs), sort)
    page = Paginator(staff, 25).get_page(request.GET.get("page"))
    filters = [("role", role), ("needs", needs)]
    return render(
        request,
        "accounts/staff_list.html",
        {
            "page": page,
            "query": query_with_sort(filters, sort, STAFF_SORT.default),
            "headers": STAFF_SORT.headers(sort, filters, ["name", "role", "Training", "Supervisor"]),
            "roles": Role.choices,
            "role": role,
            "needs": needs,
            "needs_choices": selectors.STAFF_NEEDS,
            "can_manage_area": permissions.can_manage_area(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """Managers: one member of staff, their training and which programmes they may deliver; admins add training."""
    page = selectors.staff_page(request.user, public_id, adding_training=request.method == "POST")
    member = page.member
    form = TrainingRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_training_record(actor=request.user, facilitator=member, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainConflict as exc:
            add_refusal(form, exc, {"TRAINING_EXISTS": "kind"})
        else:
            messages.success(request, "Training record added")
            return redirect("accounts:staff_detail", public_id=public_id)
    return _render_staff_page(request, page, form=form)


def _render_staff_page(
    request: HttpRequest,
    page: selectors.StaffPage,
    *,
    form: TrainingRecordForm | None = None,
    supervisor_form: SupervisorForm | None = None,
    end_supervision_form: EndSupervisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The staff page, whole, whichever of its forms was sent: a refused form shows its errors (the summary at the
    top of the page) with the rest of the page as it was."""
    delivers = page.delivers_programmes
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "member": page.member,
            "delivers_programmes": delivers,
            "form": form or TrainingRecordForm(),
            "decisions": page.decisions,
            "can_add_training": page.can_add_training,
            "supervisor_form": (supervisor_form or _supervisor_form(request, None)) if delivers else None,
            "end_supervision_form": (end_supervision_form or EndSupervisionForm()) if delivers else None,
            "can_reset_second_factor": page.can_manage_member,
            "can_manage_member": page.can_manage_member,
            "api_tokens": page.api_tokens,
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def staff_supervision_end(request: HttpRequest, public_id: str) -> HttpResponse:
    """Managers: end a facilitator's current supervision (the service checks role, area and dates; audited)."""
    permissions.require(permissions.can_assign_supervisor(request.user))
    member = selectors.staff_member(request.user, public_id)
    form = EndSupervisionForm(request.POST)
    if form.is_valid():
        try:
            services.end_supervision(
                actor=cast(User, request.user), facilitator=member, ended_on=form.cleaned_data["ended_on"]
            )
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc, {"*": "ended_on"})
        else:
            messages.success(request, f"{member.full_name}'s supervision has ended")
            return redirect("accounts:staff_detail", public_id=public_id)
    return _render_staff_page(
        request, selectors.staff_page(request.user, public_id), end_supervision_form=form, status=400
    )


def _supervisor_form(request: HttpRequest, data: Any) -> SupervisorForm:
    tms = selectors.staff_for_list(request.user, Role.TREATMENT_MANAGER)
    return SupervisorForm(data, treatment_managers=[(str(tm.public_id), tm.full_name) for tm in tms])


@login_required
@require_http_methods(["POST"])
def staff_supervisor(request: HttpRequest, public_id: str) -> HttpResponse:
    """Managers: a treatment manager of the area takes over a facilitator's supervision."""
    permissions.require(permissions.can_view_staff(request.user))
    member = selectors.staff_member(request.user, public_id)
    form = _supervisor_form(request, request.POST)
    if form.is_valid():
        tm = selectors.staff_member(request.user, form.cleaned_data["treatment_manager"])
        try:
            services.start_supervision(
                actor=cast(User, request.user),
                treatment_manager=tm,
                facilitator=member,
                started_on=form.cleaned_data["started_on"],
            )
        except DomainConflict as exc:
            add_refusal(form, exc, {"*": "treatment_manager"})
        else:
            messages.success(request, f"{tm.full_name} now supervises {member.full_name}")
            return redirect("accounts:staff_detail", public_id=public_id)
    return _render_staff_page(request, selectors.staff_page(request.user, public_id), supervisor_form=form)


@login_required
@require_http_methods(["POST"])
def staff_reset_second_factor(request: HttpRequest, public_id: str) -> HttpResponse:
    """Area administrators: reset a colleague's authenticator (and any lockout) after checking who they are."""
    permissions.require(permissions.can_manage_area(request.user))
    member = selectors.staff_member(request.user, public_id)
    services.reset_second_factor(actor=cast(User, request.user), member=member)
    messages.success(
        request,
        f"{member.full_name} has been signed out everywhere, their API tokens are revoked, and they will set up "
        "a new authenticator app at their next sign-in",
    )
    return redirect("accounts:staff_detail", public_id=public_id)


@login_required
def venue_list(request: HttpRequest) -> HttpResponse:
    """Managers: the area's venues."""
    permissions.require(permissions.can_view_staff(request.user))
    page = Paginator(selectors.venues_for(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/venue_list.html",
        {"page": page, "can_edit": permissions.can_manage_area(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def closure_list(request: HttpRequest) -> HttpResponse:
    """Managers see the area's closure dates; administrators add and remove them."""
    permissions.require(permissions.can_view_staff(request.user))
    can_edit = permissions.can_manage_area(request.user)
    form = ClosureForm(request.POST or None)
    if request.method == "POST":
        permissions.require(can_edit)
        if form.is_valid():
            actor = cast(User, request.user)
            try:
                # Before the change: name the sessions the date would hit (issue 13), and add only once confirmed.
                hits = area_services.check_closure_date(actor=actor, date=form.cleaned_data["date"])
                if hits and not request.POST.get("confirmed"):
                    return render(request, "accounts/closure_confirm.html", {"form": form, "hits": hits})
                services.add_closure(actor=actor, **form.cleaned_data)
            except DomainConflict as exc:
                add_refusal(form, exc, {"*": "date"})
            else:
                note = (
                    f": move the {len(hits)} session{'s' if len(hits) != 1 else ''} on that date from each group's page"
                    if hits
                    else ""
                )
                messages.success(request, f"Closure date added{note}")
                return redirect("accounts:closure_list")
    page = Paginator(selectors.closures_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/closure_list.html", {"page": page, "form": form, "can_edit": can_edit})


@login_required
@require_http_methods(["GET", "POST"])
def closure_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Administrators: confirm, then remove one of their area's closure dates."""
    permissions.require(permissions.can_manage_area(request.user))
    closure = get_object_or_404(selectors.closures_for(request.user), pk=pk)
    if request.method == "GET":
        return render(
            request,
            "accounts/confirm.html",
            {
                "heading": f"Remove the closure on {long_date(closure.date)}?",
                "lines": [
                    f"Reason: {closure.reason}.",
                    "Schedules made from now on may use this date again; sessions already scheduled do not move.",
                ],
                "button": "Remove closure date",
                "back": reverse("accounts:closure_list"),
                "warning": True,
            },
        )
    services.remove_closure(actor=request.user, closure=closure)  # type: ignore[arg-type]
    messages.success(request, "Closure date removed")
    return redirect("accounts:closure_list")
