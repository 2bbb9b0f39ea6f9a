from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from audit.api import AuditEventListApi
from isotp import views

api_v1: list[URLPattern | URLResolver] = [
    path("", include("accounts.api_urls")),
    path("", include("referrals.api_urls")),
    path("", include("sessions.api_urls")),
    path("", include("assessments.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("quality.api_urls")),
    path("", include("transfers.api_urls")),
    path("audit-events/", AuditEventListApi.as_view(), name="api-audit-event-list"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("needs-attention/<slug:key>/", views.attention_list, name="attention_list"),
    path("healthz", views.healthz, name="healthz"),
    path("ping/", views.ping, name="ping"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("", include("accounts.urls")),
    path("", include("audit.urls")),
    path("", include("referrals.urls")),
    path("", include("sessions.urls")),
    path("", include("sessions.feed_urls")),
    path("", include("assessments.urls")),
    path("", include("notifications.urls")),
    path("", include("dataprotection.urls")),
    path("", include("reports.urls")),
    path("", include("quality.urls")),
    path("", include("transfers.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI sets inline styles; only this page relaxes style-src (scripts stay 'self' only).
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("django-admin/", admin.site.urls),
]

handler400 = "isotp.views.error_400"
handler403 = "isotp.views.error_403"
handler404 = "isotp.views.error_404"
handler500 = "isotp.views.error_500"
