from django.urls import path

from api import views

app_name = "api_own"

urlpatterns = [
    path("", views.own_token, name="token"),
    path("revoke/", views.own_token_revoke, name="revoke"),
]
