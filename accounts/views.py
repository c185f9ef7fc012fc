from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .lockout import client_address
from .selectors import tokens_of
from .services import password_reset_allowed, token_revoke, user_set_language


def set_language_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


class LoginView(auth_views.LoginView):
    """Sign in, then speak the language the user chose last time. Failed attempts are limited per
    address and per account by django-axes, as on the API's token endpoint (accounts.lockout)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from .sso import sso_enabled

        return super().get_context_data(sso_enabled=sso_enabled(), **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        set_language_cookie(response, form.get_user().language)
        return response


@require_POST
def set_language(request):
    """The language switch: a cookie for everyone, and the user's preference when signed in."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        set_language_cookie(response, language)
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with at most a few e-mails per hour per client address and per account."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if not password_reset_allowed(address=client_address(self.request), email=email):
            context = self.get_context_data(form=form, throttled=True)
            return self.render_to_response(context, status=429)
        return super().form_valid(form)


@login_required
def tokens(request):
    """The user's API tokens: which client, since when, until when; each can be revoked."""
    return render(request, "accounts/tokens.html", {"tokens": tokens_of(request.user)})


@login_required
@require_POST
def token_revoke_view(request, token_key):
    if token_revoke(user=request.user, token_key=token_key):
        messages.success(request, _("The token was revoked: it no longer works."))
    return redirect("tokens")
