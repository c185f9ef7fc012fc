"""The few domain errors, mapped once to HTTP statuses for both HTML views and the API."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "invalid"
    default_message = _("The request could not be processed.")

    def __init__(self, message=None, *, errors=None, code=None):
        self.message = message or self.default_message
        self.errors = errors or {}
        if code:
            self.code = code
        super().__init__(str(self.message))


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You are not allowed to do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("This item was changed in the meantime or is in another state. Reload it.")


class Invalid(DomainError):
    status = 400
    code = "invalid"
    default_message = _("Please correct the errors below.")


def unavailable(request, message, *, retry_after: int, resend=None):
    """503 with Retry-After, saying why: the API's error JSON (code "busy"), or the error page.
    For what a person can simply do again in a moment (kl14.bulkhead, kl14.transient). `resend`:
    the fields of the form the page offers to send again, to the same address."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "busy", "errors": {}}, status=503)
    else:
        context = {"status": 503, "error": {"message": message}}
        if resend is not None:
            context["resend"] = {"action": request.get_full_path(), "fields": resend}
        response = render(request, "error.html", context, status=503)
    response["Retry-After"] = str(retry_after)
    return response


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check (CSRF_FAILURE_VIEW), as KL14's page in the user's language
    instead of Django's English technical one: what happened (nothing was saved) and, for a form
    of this site's own pages, what was typed, kept to be sent again with a valid token. The usual
    case is a page opened before its reader signed in again in another tab (signing in renews the
    token). A form from another site is never offered again: that would turn the check into one
    more click for the person it protects."""
    message = _(
        "The form was not sent and nothing was saved: this page was opened before you last "
        "signed in, or too long ago, and its security code no longer holds."
    )
    # The API's views are DRF's, which check the token themselves (SessionAuthentication) and
    # answer in JSON; only pages come here.
    context = {"status": 403, "error": {"message": message}}
    if _from_this_site(request):
        from kl14.transient import resendable

        fields = resendable(request)
        if fields is not None:
            context["resend"] = {"action": request.get_full_path(), "fields": fields}
    return render(request, "error.html", context, status=403)


def _from_this_site(request) -> bool:
    """Whether the browser says the form was sent from a page of this site (Origin, else
    Referer); a browser that says neither is not trusted."""
    origin = f"{request.scheme}://{request.get_host()}"
    if "HTTP_ORIGIN" in request.META:
        return request.META["HTTP_ORIGIN"] == origin
    return request.META.get("HTTP_REFERER", "").startswith(origin + "/")


class DomainErrorMiddleware:
    """Renders a DomainError that escaped an HTML view as a styled page with the right status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        template = {404: "404.html", 403: "403.html"}.get(exception.status, "error.html")
        return render(
            request,
            template,
            {"error": exception, "status": exception.status},
            status=exception.status,
        )


class MethodNotAllowedPageMiddleware:
    """A page opened with the wrong method (a POST-only address followed as a link, a form
    re-sent from the history) answers 405 with a styled page that says what happened and where to
    go, instead of Django's empty body. The API keeps its JSON answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = render(request, "405.html", {"status": 405}, status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
