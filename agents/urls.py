from django.urls import path

from agents import desk_views, views

app_name = "agents"

urlpatterns = [
    # The desk and the supervisor view (agents/desk_views.py)
    path("desk/", desk_views.desk, name="desk"),
    # Users → agent profiles in the console (agents/views.py)
    path("users/", views.user_list, name="user_list"),
]
