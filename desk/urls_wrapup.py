"""Settings → Labels and Settings → Close reasons (desk/wrapup_views.py)."""

from django.urls import path

from desk import wrapup_views as views

app_name = "wrapup"

urlpatterns = [
    path("labels/", views.label_list, name="labels"),
    path("labels/new/", views.label_edit, name="label_create"),
    path("labels/<int:pk>/", views.label_edit, name="label_edit"),
    path("labels/<int:pk>/delete/", views.label_delete, name="label_delete"),
    path("close-reasons/", views.close_reason_list, name="close_reasons"),
    path("close-reasons/new/", views.close_reason_edit, name="close_reason_create"),
    path("close-reasons/<int:pk>/", views.close_reason_edit, name="close_reason_edit"),
    path("close-reasons/<int:pk>/delete/", views.close_reason_delete, name="close_reason_delete"),
]
