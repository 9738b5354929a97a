"""The OpenAPI description: every operation also documents its error answers."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.authentication import SessionScheme as SessionScheme_
from drf_spectacular.authentication import TokenScheme as TokenScheme_
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="Field name → list of messages (`non_field_errors` for the object as a whole).",
    )


ERROR_DESCRIPTIONS = {
    "400": "Invalid input (field-level errors in `errors`).",
    "401": "Not authenticated: send a session cookie or `Authorization: Token <key>`.",
    "403": "Authenticated, but not allowed (or the CSRF token is missing).",
    "404": "Not found, or not visible to this user.",
    "409": "Conflicts with the current state (e.g. still in use).",
    "415": "The body's Content-Type is not one the API reads (JSON, form or multipart), or is unreadable.",
    "429": "Too many failed authentication attempts from this address.",
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method == "DELETE":
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses


# drf-spectacular describes DRF's own classes; ours only add failure counting.
class SessionScheme(SessionScheme_):
    target_class = "api.authentication.SessionAuthentication"


class TokenScheme(TokenScheme_):
    target_class = "api.authentication.TokenAuthentication"
