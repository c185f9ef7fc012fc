import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from kl14.errors import Invalid
from units.models import Role
from units.selectors import users_administered_by

from . import two_factor
from .middleware import second_factor_done, second_factor_pending


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    from django.urls import reverse

    return reverse(default)


@login_required
def setup(request):
    """Scan the QR code (or type the key) into an authenticator app, enter its first code; the
    recovery codes are shown once."""
    device = two_factor.pending_totp(request.user)
    error = None
    if request.method == "POST":
        codes = two_factor.totp_confirm(
            user=request.user, device=device, code=request.POST.get("code", "")
        )
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            second_factor_done(request)
            return render(
                request,
                "accounts/two_factor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        error = _("The code is not right. Check the time of your phone and try the next code.")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code"))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "qr": mark_safe(qr),  # noqa: S308 - SVG made by segno from our own URL
            "secret": two_factor.secret_of(device),
            "error": error,
            "next": request.GET.get("next", ""),
            "required": two_factor.is_required(request.user),
        },
        status=400 if error else 200,
    )


@login_required
def verify(request):
    """The second step of signing in: a code of the authenticator, or a recovery code."""
    if not second_factor_pending(request):
        return redirect(_next(request))
    error = None
    if request.method == "POST":
        device = two_factor.verify(request.user, request.POST.get("code", ""))
        if device is not None:
            otp_login(request, device)
            second_factor_done(request)
            if device.persistent_id.startswith("otp_static"):
                remaining = device.token_set.count()
                messages.warning(
                    request,
                    _("You used a recovery code; %(n)d are left.") % {"n": remaining},
                )
            return redirect(_next(request))
        error = _("The code is not right, or was already used.")
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"error": error, "next": request.GET.get("next", "")},
        status=400 if error else 200,
    )


@login_required
def manage(request):
    return render(
        request,
        "accounts/two_factor_manage.html",
        {
            "enabled": two_factor.user_has_device(request.user),
            "required": two_factor.is_required(request.user),
            "can_set_policy": two_factor.can_set_policy(request.user),
        },
    )


@require_POST
@login_required
def renew_codes(request):
    if not two_factor.user_has_device(request.user):
        raise Http404
    codes = two_factor.recovery_codes_renew(user=request.user)
    return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": ""})


@require_POST
@login_required
def disable(request):
    if two_factor.is_required(request.user):
        messages.error(request, _("Your role requires a second factor: it stays on."))
    else:
        two_factor.two_factor_reset(user=request.user)
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("two_factor_manage")


@login_required
def policy(request):
    """A root admin chooses the roles that must sign in with a second factor, and resets the
    second factor of someone who lost their phone."""
    if not two_factor.can_set_policy(request.user):
        raise Http404
    choices = [(r, Role(r).label) for r in two_factor.REQUIRABLE_ROLES]
    status = 200
    if request.method == "POST" and request.POST.get("action") == "reset":
        username = request.POST.get("username", "").strip()
        person = users_administered_by(request.user).filter(username=username).first()
        if person is None:
            messages.error(
                request, _("No account %(name)s among those you administer.") % {"name": username}
            )
            status = 400
        else:
            two_factor.two_factor_reset(user=person)
            messages.success(
                request, _("The second factor of %(name)s was reset.") % {"name": person}
            )
            return redirect("two_factor_policy")
    elif request.method == "POST":
        try:
            two_factor.policy_set(actor=request.user, roles=request.POST.getlist("roles"))
        except Invalid:
            status = 400
        else:
            messages.success(request, _("The two-factor policy was saved."))
            return redirect("two_factor_policy")
    required = set(two_factor.policy_roles())
    return render(
        request,
        "accounts/two_factor_policy.html",
        {"choices": [(r, label, r in required) for r, label in choices]},
        status=status,
    )
