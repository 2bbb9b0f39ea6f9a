from django.urls import path

from dataprotection import views

app_name = "dataprotection"

urlpatterns = [
    path("people/<uuid:public_id>/subject-access/", views.subject_access, name="subject_access"),
]
