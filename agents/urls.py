from django.urls import path

from agents import desk_views, views

app_name = "agents"

urlpatterns = [
    # The desk and the supervisor view (agents/desk_views.py)
    path("desk/", desk_views.desk, name="desk"),
    path("desk/supervisor/", desk_views.supervisor, name="supervisor"),
    path("desk/media/<int:message_id>/<int:index>/", desk_views.media, name="desk_media"),
    path(
        "desk/media/<int:message_id>/<int:index>/contact/",
        desk_views.media_contact,
        name="desk_media_contact",
    ),
    path("desk/upload/", desk_views.upload, name="desk_upload"),
    path("desk/files/<str:token>/<str:name>", desk_views.desk_file, name="desk_file"),
    # Users → agent profiles in the console (agents/views.py)
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/invite/", views.user_invite, name="user_invite"),
    path(
        "users/<int:pk>/resend-invitation/",
        views.user_resend_invitation,
        name="user_resend_invitation",
    ),
    path(
        "users/<int:pk>/reset-two-factor/",
        views.user_reset_two_factor,
        name="user_reset_two_factor",
    ),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path(
        "users/<int:pk>/deactivate/",
        views.user_set_active,
        {"active": False},
        name="user_deactivate",
    ),
    path("users/<int:pk>/activate/", views.user_set_active, {"active": True}, name="user_activate"),
]
