"""Django admin (service superusers only): read-mostly views for support. Every change a person makes goes
through the pages or the API, which call the services and audit; so the admin cannot add or change delivery
records, only look at them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sessions.models import (
    Attendance,
    FeedToken,
    Membership,
    OneToOnePlan,
    Programme,
    ProgrammeGroup,
    ScheduledSession,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "area", "valid_from", "valid_until", "name"]
    list_filter = ["programme", "area"]


@admin.register(ProgrammeGroup)
class ProgrammeGroupAdmin(ReadOnlyAdmin):
    list_display = ["reference", "area", "programme", "start_date", "status", "capacity"]
    list_filter = ["area", "status"]
    list_select_related = ["area", "programme"]


@admin.register(OneToOnePlan)
class OneToOnePlanAdmin(ReadOnlyAdmin):
    list_display = ["reference", "area", "start_date", "status", "total_sessions"]
    list_filter = ["area", "status"]
    list_select_related = ["area"]


@admin.register(ScheduledSession)
class ScheduledSessionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "group", "plan", "number", "date", "start", "end", "status"]
    list_filter = ["status"]
    list_select_related = ["group", "plan"]
    date_hierarchy = "date"


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "group", "plan", "joined_on", "left_on", "status"]
    list_filter = ["status"]
    list_select_related = ["group", "plan"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["membership", "session", "outcome", "recorded_at"]
    list_filter = ["outcome"]


@admin.register(FeedToken)
class FeedTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "revoked_at"]
    exclude = ["token"]  # the secret is not shown, even to superusers
