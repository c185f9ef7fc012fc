"""The classes that REST_FRAMEWORK settings name: content negotiation, pagination and the error
handler. DRF imports them lazily while `rest_framework.views` is itself being imported, so this
module must never import `rest_framework.views` (or anything that does) at import time: that
circular import killed the Celery worker at start-up whenever DRF's system checks happened to read
DEFAULT_PAGINATION_CLASS first (tests/kl14/test_startup.py)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.response import Response

from .errors import DomainError
from .text import plain_data, plain_querydict


class JSONFallbackNegotiation(DefaultContentNegotiation):
    """The API speaks JSON: a client that asks only for something else (a browser's text/html)
    gets JSON rather than 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


MAX_JSON_DEPTH = 32


def json_depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iteratively: no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in item)
    return deepest


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, with a 400 for a body nested too deeply: Python's json module hits its
    recursion limit (RecursionError, a 500) near a thousand levels, and every step below it would
    have to walk what it accepted. No input of the API nests more than a few levels. Invalid UTF-8
    is a 400 already (DRF's parser answers a UnicodeDecodeError as a parse error).

    Every input of the API is an object (api.md): a body that is a list, a string, a number or
    null is a 400 here, once for every view, rather than an AttributeError (a 500) in each view
    that reads `request.data.get(…)`."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            too_deep = json_depth(data) > MAX_JSON_DEPTH
        except exceptions.ParseError:
            # DRF's says "JSON parse error - " and Python's reason, in English.
            raise exceptions.ParseError(
                _("The body is not valid JSON."), code="parse_error"
            ) from None
        except RecursionError:
            too_deep = True
        if too_deep:
            raise exceptions.ParseError(
                _("The JSON body nests deeper than %(n)d levels.") % {"n": MAX_JSON_DEPTH},
                code="too_deep",
            )
        if not isinstance(data, dict):
            raise exceptions.ParseError(
                _('The JSON body must be an object, such as {"text": "…"}.'),
                code="not_an_object",
            )
        return plain_data(data)


class FormParser(parsers.FormParser):
    """DRF's, its text made plain (kl14/text.py) as the site's forms are."""

    def parse(self, stream, media_type=None, parser_context=None):
        return plain_querydict(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    """DRF's, its text made plain (kl14/text.py). A multipart POST reaches the API already parsed
    by Django, and made plain by kl14.middleware.PlainTextMiddleware; this one parses the others
    (PUT, PATCH)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            parsed = super().parse(stream, media_type, parser_context)
        except exceptions.ParseError:
            # DRF's says "Multipart form parse error - " and Django's reason, in English.
            raise exceptions.ParseError(
                _("The body is not a valid multipart form."), code="parse_error"
            ) from None
        return parsers.DataAndFiles(plain_querydict(parsed.data), parsed.files)


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def error_body(detail, code, errors=None) -> dict:
    return {"detail": str(detail), "code": code, "errors": flat_errors(errors or {})}


def flat_errors(errors, prefix="") -> dict:
    """Field errors as api.md has them, `{field: [message, ...]}`, however deep the input nests:
    the errors of a nested serializer, a list or a dict of items get dotted paths
    (`kpi_values.3.value`), valid items none."""
    if isinstance(errors, dict):
        flat = {}
        for key, value in errors.items():
            flat.update(flat_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(errors, list | tuple) and any(isinstance(e, dict | list | tuple) for e in errors):
        flat = {}
        for index, value in enumerate(errors):
            flat.update(flat_errors(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = list(errors) if isinstance(errors, list | tuple) else [errors]
    return {prefix or "non_field_errors": messages} if messages else {}


def exception_handler(exc, context):
    """{"detail", "code", "errors"} for every error (api.md)."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DomainError):
        return Response(error_body(exc.message, exc.code, exc.errors), status=exc.status)
    if isinstance(exc, OverflowError):
        # A number no column holds (1e400 as an id, 10**30 in a path or a list of ids) reached a
        # conversion or the driver: the request is wrong, and nothing was written (each write is
        # one transaction, which the exception rolled back).
        return Response(
            error_body(_("A number in the request is out of range."), "out_of_range"),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(_("Invalid input."), "invalid", errors)
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(
            getattr(exc, "detail", exc), code if isinstance(code, str) else "error"
        )
    return response
