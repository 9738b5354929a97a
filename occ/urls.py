from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from audit.views import ThrottledLoginView
from occ import views

urlpatterns = [
    path("", views.home, name="home"),
    # Before Django's auth URLs: the log-in page with login throttling.
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The words of the desk's and the supervisor's scripts (locale/*/LC_MESSAGES/djangojs.po).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("settings/", include("settings.urls")),
    path("services/", include("services.urls")),
    path("", include("agents.urls")),
    path("", include("widgets.urls")),
    path("whatsapp/", include("whatsapp.urls")),
    path("api/", include("api.urls")),
    path("settings/api-tokens/", include("api.urls_console")),
    path("settings/webhooks/", include("hooks.urls")),
    path("settings/tasks/", include("engine.urls")),
    # The built-in sandbox (fake Twilio, phone simulator): 404 unless OCC_SANDBOX.
    path("sandbox/", include("whatsapp.sandbox.urls")),
    path("", include("audit.urls")),
    path("admin/", admin.site.urls),
]
