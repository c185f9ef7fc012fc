"""API plumbing shared by every app: pagination and one error format."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class JSONFallbackNegotiation(DefaultContentNegotiation):
    """The API speaks JSON: a client that asks only for something else (a browser's text/html)
    gets JSON rather than 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ErrorSerializer(serializers.Serializer):
    """The error body of every API answer but 2xx (see exception_handler below)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name -> messages (empty unless the input was invalid).",
    )


ERROR_MEANINGS = {
    400: "Invalid input: `errors` names the fields. Nothing was written.",
    401: "Not signed in (send a session cookie or `Authorization: Token <token>`).",
    403: "Visible to you, but you may not do this.",
    404: "Not found, or not visible to you.",
    409: "The item is in a state that does not allow this, or it changed meanwhile.",
    415: "The body is not multipart/form-data.",
    429: "Too many attempts: try again later.",
}


def error_responses(*codes: int) -> dict:
    """Schema entries for the error answers an endpoint can give, all in the shared format."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_MEANINGS[code]) for code in codes
    }


def _body(detail, code, errors=None):
    return {"detail": str(detail), "code": code, "errors": errors or {}}


def exception_handler(exc, context):
    """{"detail", "code", "errors"} for every error (api.md)."""
    if isinstance(exc, DomainError):
        return Response(_body(exc.message, exc.code, exc.errors), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = _body(_("Invalid input."), "invalid", errors)
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = _body(
            getattr(exc, "detail", exc), code if isinstance(code, str) else "error"
        )
    return response
