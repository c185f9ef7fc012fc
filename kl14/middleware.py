from urllib.parse import parse_qsl

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .text import plain_querydict


class LanguageMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose English with the switch: the browser's
    Accept-Language header is deliberately not consulted."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PlainTextMiddleware:
    """A form body's text made plain before anything reads it (kl14/text.py): invisible
    characters out, letters composed. After StrictEncodingMiddleware, which has refused bodies
    that are not UTF-8."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            # A body Django refuses (too many fields, too large) raises here as it would in the
            # CSRF check: a 400.
            request.POST = plain_querydict(request.POST)
        return self.get_response(request)


class StrictEncodingMiddleware:
    """A form body that is not valid UTF-8 is a 400, not text with U+FFFD in place of the bytes
    Django could not decode (which the services would then store). URL-encoded bodies are checked
    byte for byte; multipart fields, which Django's parser has already decoded with replacement
    characters, are refused when one holds U+FFFD. JSON bodies are DRF's (kl14.drf.JSONParser)."""

    METHODS = ("POST", "PUT", "PATCH", "DELETE")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.METHODS and not self._decodes(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _decodes(request) -> bool:
        if request.content_type == "application/x-www-form-urlencoded":
            encoding = request.encoding or settings.DEFAULT_CHARSET
            try:
                # The bytes, then what the %-escapes stand for (Django decodes them leniently).
                parse_qsl(
                    request.body.decode(encoding),
                    keep_blank_values=True,
                    encoding=encoding,
                    errors="strict",
                    max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
                )
            except UnicodeDecodeError:
                return False
            except ValueError:  # too many fields: Django answers that itself
                return True
        elif request.content_type == "multipart/form-data":
            try:
                fields = request.POST.lists()
            except Exception:  # a malformed body: the view answers it as usual
                return True
            return not any("\ufffd" in value for _, values in fields for value in values)
        return True

    @staticmethod
    def _refuse(request):
        from django.http import HttpResponseBadRequest, JsonResponse
        from django.utils.translation import gettext as _

        message = _("The request is not valid UTF-8 text.")
        if request.path.startswith("/api/"):
            body = {"detail": message, "code": "invalid_encoding", "errors": {}}
            return JsonResponse(body, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
