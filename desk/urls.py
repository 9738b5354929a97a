from django.urls import path

from desk import attribute_views, canned_views, desk_views, history_views, views

urlpatterns = [
    # The desk and the supervisor view (desk/desk_views.py)
    path("desk/", desk_views.desk, name="desk"),
    path("desk/become-agent/", desk_views.become_agent, name="become_agent"),
    path("desk/supervisor/", desk_views.supervisor, name="supervisor"),
    path("desk/media/<int:message_id>/<int:index>/", desk_views.media, name="desk_media"),
    path(
        "desk/media/<int:message_id>/<int:index>/contact/",
        desk_views.media_contact,
        name="desk_media_contact",
    ),
    path("desk/upload/", desk_views.upload, name="desk_upload"),
    path("desk/files/<str:token>/<str:name>", desk_views.desk_file, name="desk_file"),
    # Canned responses: each user's own (from the desk), the shared ones (desk/canned_views.py)
    path("desk/canned/", canned_views.personal_list, name="desk_canned_list"),
    path("desk/canned/new/", canned_views.personal_edit, name="desk_canned_create"),
    path("desk/canned/<int:pk>/", canned_views.personal_edit, name="desk_canned_edit"),
    path("desk/canned/<int:pk>/delete/", canned_views.personal_delete, name="desk_canned_delete"),
    path("canned-responses/", canned_views.shared_list, name="canned_list"),
    path("canned-responses/new/", canned_views.shared_edit, name="canned_create"),
    path("canned-responses/<int:pk>/", canned_views.shared_edit, name="canned_edit"),
    path("canned-responses/<int:pk>/delete/", canned_views.shared_delete, name="canned_delete"),
    # Closed / All, search, history, contacts (desk/history_views.py)
    path("desk/conversations/", history_views.conversations, name="conversations"),
    path(
        "desk/conversations/<int:pk>/",
        history_views.conversation_history,
        name="conversation_history",
    ),
    path("desk/conversations/<int:pk>/reopen/", history_views.reopen, name="reopen"),
    path("desk/contacts/", history_views.contact_list, name="contact_list"),
    path("desk/contacts/<int:pk>/", history_views.contact_detail, name="contact_detail"),
    path("desk/contacts/<int:pk>/panel/", history_views.contact_panel, name="contact_panel"),
    path("desk/contacts/<int:pk>/edit/", history_views.contact_edit, name="contact_edit"),
    path("desk/contacts/<int:pk>/start/", history_views.contact_start, name="contact_start"),
    path("desk/contacts/<int:pk>/merge/", history_views.contact_merge, name="contact_merge"),
    # Settings → Contact attributes (desk/attribute_views.py)
    path("settings/contact-attributes/", attribute_views.attribute_list, name="attribute_list"),
    path(
        "settings/contact-attributes/new/", attribute_views.attribute_edit, name="attribute_create"
    ),
    path(
        "settings/contact-attributes/<int:pk>/",
        attribute_views.attribute_edit,
        name="attribute_edit",
    ),
    path(
        "settings/contact-attributes/<int:pk>/delete/",
        attribute_views.attribute_delete,
        name="attribute_delete",
    ),
    # Users → agent profiles in the console (desk/views.py)
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
