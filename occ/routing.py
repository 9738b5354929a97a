"""Every WebSocket route of the project, gathered from the apps."""

from desk.routing import websocket_urlpatterns as agents_ws

websocket_urlpatterns = [*agents_ws]
