from django.urls import path

from engine import views

app_name = "engine"

urlpatterns = [
    path("", views.health, name="health"),
    path("<str:result_id>/retry/", views.retry, name="retry"),
]
