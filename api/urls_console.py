from django.urls import path

from api import views

app_name = "api_console"

urlpatterns = [
    path("", views.token_list, name="tokens"),
    path("create/", views.token_create, name="create"),
    path("<int:user_id>/revoke/", views.token_revoke, name="revoke"),
]
