"""The Django admin, for service superusers only (area administrators use the service's own pages)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import AreaClosure, FacilitatorTraining, ProbationArea, Supervision, User, Venue


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "area", "is_active"]
    list_filter = ["role", "area", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Details", {"fields": ("full_name", "role", "area")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "area", "password1", "password2"),
            },
        ),
    )


admin.site.register(ProbationArea)
admin.site.register(AreaClosure)
admin.site.register(Venue)
admin.site.register(FacilitatorTraining)
admin.site.register(Supervision)
