"""Delivery API routes (under /api/v1/); every name starts with `api-`."""

from django.urls import path

from sessions import api, attendance_api

urlpatterns = [
    path("programmes/", api.ProgrammeListApi.as_view(), name="api-programme-list"),
    path("programmes/<slug:code>/", api.ProgrammeDetailApi.as_view(), name="api-programme-detail"),
    path("groups/", api.GroupListApi.as_view(), name="api-group-list"),
    path("groups/<uuid:public_id>/", api.GroupDetailApi.as_view(), name="api-group-detail"),
    path(
        "groups/<uuid:public_id>/sessions/", api.GroupSessionListApi.as_view(), name="api-group-session-list"
    ),
    path("groups/<uuid:public_id>/close/", api.GroupCloseApi.as_view(), name="api-group-close"),
    path(
        "groups/<uuid:public_id>/memberships/",
        api.GroupMembershipListApi.as_view(),
        name="api-group-membership-list",
    ),
    path("memberships/<uuid:public_id>/", api.MembershipDetailApi.as_view(), name="api-membership-detail"),
    path(
        "memberships/<uuid:public_id>/remove/",
        api.MembershipRemoveApi.as_view(),
        name="api-membership-remove",
    ),
    path("sessions/<uuid:public_id>/", api.SessionDetailApi.as_view(), name="api-session-detail"),
    path(
        "sessions/<uuid:public_id>/reschedule/",
        api.SessionRescheduleApi.as_view(),
        name="api-session-reschedule",
    ),
    path("sessions/<uuid:public_id>/cancel/", api.SessionCancelApi.as_view(), name="api-session-cancel"),
    path(
        "sessions/<uuid:public_id>/attendance/",
        attendance_api.SessionAttendanceApi.as_view(),
        name="api-session-attendance",
    ),
    path(
        "sessions/<uuid:public_id>/register/",
        attendance_api.SessionRegisterApi.as_view(),
        name="api-session-register",
    ),
    path(
        "memberships/<uuid:public_id>/catch-ups/",
        attendance_api.MembershipCatchUpListApi.as_view(),
        name="api-membership-catch-up-list",
    ),
    path(
        "memberships/<uuid:public_id>/catch-up-exceptions/",
        attendance_api.CatchUpExceptionApi.as_view(),
        name="api-membership-catch-up-exception",
    ),
    path(
        "catch-ups/<uuid:public_id>/outcome/",
        attendance_api.CatchUpOutcomeApi.as_view(),
        name="api-catch-up-outcome",
    ),
    path(
        "catch-ups/<uuid:public_id>/cancel/",
        attendance_api.CatchUpCancelApi.as_view(),
        name="api-catch-up-cancel",
    ),
    path(
        "referrals/<uuid:public_id>/warnings/",
        attendance_api.ReferralWarningApi.as_view(),
        name="api-referral-warning",
    ),
    path(
        "referrals/<uuid:public_id>/breach/",
        attendance_api.ReferralBreachApi.as_view(),
        name="api-referral-breach",
    ),
    path("my/sessions/", api.MySessionListApi.as_view(), name="api-my-session-list"),
    path("my/calendar-feed/", api.MyCalendarFeedApi.as_view(), name="api-my-calendar-feed"),
    path("one-to-one-plans/", api.PlanListApi.as_view(), name="api-plan-list"),
    path("one-to-one-plans/<uuid:public_id>/", api.PlanDetailApi.as_view(), name="api-plan-detail"),
    path("one-to-one-plans/<uuid:public_id>/close/", api.PlanCloseApi.as_view(), name="api-plan-close"),
    path(
        "one-to-one-plans/<uuid:public_id>/sessions/",
        api.PlanSessionListApi.as_view(),
        name="api-plan-session-list",
    ),
    path("schedule/preview/", api.SchedulePreviewApi.as_view(), name="api-schedule-preview"),
]
