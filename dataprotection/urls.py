from django.urls import path

from dataprotection import views

app_name = "dataprotection"

urlpatterns = [
    path("people/<uuid:public_id>/subject-access/", views.subject_access, name="subject_access"),
    path("data-protection/retention/", views.retention_list, name="retention_list"),
    path("data-protection/retention/<uuid:public_id>/erase/", views.retention_erase, name="retention_erase"),
]
