from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from kl14.navigation import items_for_request, navigation_url_names

from . import content, images
from .links import guides_for
from .pdf import guide_pdf


def _page_url(url_name: str) -> str | None:
    """The documented page's address, when it is one without arguments (a list, a form)."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


@login_required
@require_GET
def index(request):
    return render(
        request,
        "guide/index.html",
        {
            "general": content.GENERAL,
            "guides": content.ROLE_GUIDES,
            "mine": {g.slug for g in guides_for(request.user)},
        },
    )


@login_required
@require_GET
def role_guide(request, slug):
    guide = content.BY_SLUG.get(slug)
    if guide is None:
        raise Http404
    # "Open the page" only where the reader may open it (any reader may read any guide): by the
    # section's own rule, else, for a page of the navigation, when the reader's navigation offers
    # it; the rest (signing in, one's own second factor) open for everyone. A cadre reading the
    # organization board's guide got a link to the dashboard that answered 403.
    offered = {item["url"] for item in items_for_request(request)}

    def page_url(section) -> str | None:
        url = _page_url(section.url_name)
        if url is None:
            return None
        if section.may_open:
            return url if import_string(section.may_open)(request.user) else None
        if section.url_name in navigation_url_names():
            return url if url in offered else None
        return url

    sections = [
        {"section": s, "page_url": page_url(s), "image": images.image(s.shot)}
        for s in guide.sections
    ]
    return render(
        request,
        "guide/role.html",
        {"guide": guide, "sections": sections, "guides": content.GUIDES},
    )


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def pdf(request):
    """The whole guide, every role."""
    return _pdf_response(guide_pdf(), "huong-dan-su-dung-kl14.pdf")


@login_required
@require_GET
def role_pdf(request, slug):
    """The general part and one role's part."""
    if slug not in content.BY_SLUG:
        raise Http404
    return _pdf_response(guide_pdf(slug), f"huong-dan-su-dung-kl14-{slug}.pdf")
