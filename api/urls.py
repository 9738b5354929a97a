"""The API's URLs: /api/v1/..., the OpenAPI description and its documentation page."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import canned, conversations, notes, viewsets
from reports import api as reports_api

router = DefaultRouter()
router.include_root_view = False
# No `.json` routes: the paths below have none, the OpenAPI description
# (drf-spectacular) lists none, and the router's were broken for actions
# (`close.json` passed `format` to a view that takes none). JSON is the
# default answer; `?format=json` or an Accept header choose it explicitly.
router.include_format_suffixes = False
router.register("services", viewsets.ServiceViewSet, basename="service")
router.register("agents", viewsets.AgentViewSet, basename="agent")
router.register("widgets", viewsets.WidgetViewSet, basename="widget")
router.register("contacts", viewsets.ContactViewSet, basename="contact")
router.register("interactions", viewsets.InteractionViewSet, basename="interaction")
router.register("webhooks", viewsets.WebhookEndpointViewSet, basename="webhook")
router.register("labels", viewsets.LabelViewSet, basename="label")
router.register("close-reasons", viewsets.CloseReasonViewSet, basename="close-reason")
router.register("canned-responses", canned.CannedResponseViewSet, basename="canned-response")

messages = viewsets.MessageViewSet
deliveries = viewsets.WebhookDeliveryViewSet

v1 = [
    path("me/", viewsets.MeView.as_view(), name="me"),
    path("search/", viewsets.SearchView.as_view(), name="search"),
    path("me/presence/", viewsets.PresenceView.as_view(), name="me-presence"),
    path("settings/chat-channel/", viewsets.ChatChannelSettingsView.as_view(), name="chat-channel"),
    path(
        "settings/chat-channel/verify/",
        viewsets.ChatChannelVerifyView.as_view(),
        name="chat-channel-verify",
    ),
    path(
        "interactions/<int:interaction_pk>/messages/",
        messages.as_view({"get": "list", "post": "create"}),
        name="interaction-messages",
    ),
    path(
        "interactions/<int:interaction_pk>/messages/<int:message_pk>/",
        messages.as_view({"get": "retrieve"}),
        name="interaction-message",
    ),
    path(
        "interactions/<int:interaction_pk>/notes/",
        notes.NoteViewSet.as_view({"get": "list", "post": "create"}),
        name="interaction-notes",
    ),
    path(
        "webhooks/<int:webhook_pk>/deliveries/",
        deliveries.as_view({"get": "list"}),
        name="webhook-deliveries",
    ),
    path("reports/", reports_api.ReportView.as_view(), name="reports"),
    path("templates/", conversations.TemplateListView.as_view(), name="templates"),
    path("conversations/", conversations.StartConversationView.as_view(), name="conversations"),
    path("", include(router.urls)),
]


@csrf_exempt  # answers 404 to every method; it changes nothing
def not_found(request, rest=""):
    """Unknown API paths (and malformed ids) answer in the API's JSON error shape, not an HTML page."""
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Our template: drf-spectacular's, with the Content-Security-Policy nonce on its inline script.
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    re_path(r"^(?P<rest>.*)$", not_found),
]
