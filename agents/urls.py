from django.urls import path

from agents import views

app_name = "agents"

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("users/", views.user_list, name="user_list"),
]
