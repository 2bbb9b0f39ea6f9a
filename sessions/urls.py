"""The delivery pages (namespace `programme_sessions`). Records about people are addressed by `public_id`."""

from django.urls import path

from sessions.views import (
    allocation,
    attendance,
    calendar,
    catalogue,
    completion,
    group_wizard,
    groups,
    plans,
    schedule,
)

app_name = "programme_sessions"

urlpatterns = [
    # The catalogue (area administrators edit; treatment managers read).
    path("programmes/", catalogue.programme_list, name="programme_list"),
    path("programmes/<slug:code>/", catalogue.programme_detail, name="programme_detail"),
    path("programmes/<slug:code>/new-version/", catalogue.programme_edit, name="programme_edit"),
    # Groups.
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", group_wizard.group_create, name="group_create"),
    path("groups/new/check/", group_wizard.group_create_check, name="group_create_check"),
    path("groups/new/<slug:step>/", group_wizard.group_create_step, name="group_create_step"),
    path("groups/<uuid:public_id>/", groups.group_detail, name="group_detail"),
    path("groups/<uuid:public_id>/schedule.csv", groups.group_schedule_csv, name="group_schedule_csv"),
    path("groups/<uuid:public_id>/allocate/", allocation.group_allocate, name="group_allocate"),
    path("groups/<uuid:public_id>/close/", completion.group_close, name="group_close"),
    path(
        "groups/<uuid:public_id>/members/<uuid:membership_id>/remove/",
        allocation.member_remove,
        name="member_remove",
    ),
    path(
        "groups/<uuid:public_id>/sessions/<int:number>/reschedule/",
        schedule.session_reschedule,
        name="session_reschedule",
    ),
    path(
        "groups/<uuid:public_id>/sessions/<int:number>/cancel/",
        schedule.session_cancel,
        name="session_cancel",
    ),
    # Registers, catch-ups and progress (issue 8).
    path("sessions/<uuid:public_id>/register/", attendance.session_register, name="session_register"),
    path(
        "sessions/<uuid:public_id>/register.csv", attendance.session_register_csv, name="session_register_csv"
    ),
    path("memberships/<uuid:public_id>/progress/", attendance.member_progress, name="member_progress"),
    path("memberships/<uuid:public_id>/catch-ups/new/", attendance.catch_up_new, name="catch_up_new"),
    path(
        "memberships/<uuid:public_id>/catch-up-exception/",
        attendance.catch_up_exception,
        name="catch_up_exception",
    ),
    path("catch-ups/<uuid:public_id>/outcome/", attendance.catch_up_outcome, name="catch_up_outcome"),
    path("catch-ups/<uuid:public_id>/cancel/", attendance.catch_up_cancel, name="catch_up_cancel"),
    path("referrals/<uuid:public_id>/warning/", attendance.referral_warning, name="referral_warning"),
    path("referrals/<uuid:public_id>/breach/", attendance.referral_breach, name="referral_breach"),
    # One-to-one plans.
    path("one-to-one-plans/", plans.plan_list, name="plan_list"),
    path("one-to-one-plans/new/", plans.plan_create, name="plan_create"),
    path("one-to-one-plans/new/check/", plans.plan_create_check, name="plan_create_check"),
    path("one-to-one-plans/new/<slug:step>/", plans.plan_create_step, name="plan_create_step"),
    path("one-to-one-plans/<uuid:public_id>/", plans.plan_detail, name="plan_detail"),
    path("one-to-one-plans/<uuid:public_id>/close/", completion.plan_close, name="plan_close"),
    path(
        "one-to-one-plans/<uuid:public_id>/sessions/<int:number>/reschedule/",
        schedule.plan_session_reschedule,
        name="plan_session_reschedule",
    ),
    path(
        "one-to-one-plans/<uuid:public_id>/sessions/<int:number>/cancel/",
        schedule.plan_session_cancel,
        name="plan_session_cancel",
    ),
    # A facilitator's calendar and private feed link.
    path("my-sessions/", calendar.my_calendar, name="my_calendar"),
    path("my-sessions/calendar-link/", calendar.feed_rotate, name="feed_rotate"),
]
