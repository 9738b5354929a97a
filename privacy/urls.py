from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.index, name="index"),
    path("contacts/<int:contact_id>/", views.contact, name="contact"),
    path("contacts/<int:contact_id>/export/", views.contact_export, name="contact_export"),
    path("contacts/<int:contact_id>/erase/", views.contact_erase, name="contact_erase"),
    path("retention/", views.retention, name="retention"),
]
