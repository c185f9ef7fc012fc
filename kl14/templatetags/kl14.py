"""Built into every template (settings.TEMPLATES builtins): one rendering of form widgets and of
amounts of money."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kl14 import formats, links
from kl14.fragments import render_each, shown
from ops.submissions import FIELD as ONCE_FIELD
from ops.submissions import new_key as new_once_key

register = template.Library()


@register.simple_tag
def once_field():
    """The hidden one-time key of a form that writes: sent again (a double click, a repeated
    POST), it is done once (ops.submissions)."""
    return format_html('<input type="hidden" name="{}" value="{}">', ONCE_FIELD, new_once_key())


@register.simple_tag
def pk_url(viewname, pk):
    """`{% url viewname pk %}` for a view whose only argument is an integer pk, for the rows of
    a list: the pattern is resolved once, not once per row (kl14.links.pk_url)."""
    return links.pk_url(viewname, pk)


_SELECTS = {"select", "selectmultiple", "nullbooleanselect"}
_CHOICE_LISTS = {"radioselect", "checkboxselectmultiple"}


@register.simple_tag
def widget(field, **attrs):
    """Renders a bound field's control with Bootstrap classes and accessible hints: `form-select`
    or `form-control` on the control, `aria-describedby` naming only the help and errors that
    exist. A choice list (radios, checkboxes) renders its options, each with its own label
    (includes/_choices.html) — never a class or an id on the wrapper."""
    kind = field.widget_type
    if kind in _CHOICE_LISTS:
        return render_to_string("includes/_choices.html", {"field": field})
    if kind == "checkbox":
        css = "form-check-input"
    else:
        css = "form-select" if kind in _SELECTS else "form-control"
    if field.errors:
        css += " is-invalid"
        attrs.setdefault("aria-invalid", "true")
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_errors")
    if described:
        attrs.setdefault("aria-describedby", " ".join(described))
    existing = field.field.widget.attrs.get("class", "")
    attrs["class"] = f"{existing} {css}".strip()
    return field.as_widget(attrs=attrs)


@register.filter
def money(value):
    """An amount of đồng: "1.234.567 đồng" in Vietnamese, "1,234,567 VND" in English."""
    return formats.money(value)


@register.simple_tag(takes_context=True)
def back_link(context):
    """A "Go back" link to the page the person came from (same site only), without script."""
    request = context.get("request")
    referer = request.META.get("HTTP_REFERER", "") if request else ""
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return format_html('<a class="btn btn-outline-primary" href="{}">{}</a>', referer, _("Go back"))


@register.filter
def errors_except(errors, names):
    """The messages of a {name: [messages]} dict, but for the names listed ("a,b"): those are
    shown next to their part of the form. Empty when nothing is left (no empty red box)."""
    skip = {n.strip() for n in str(names).split(",")}
    return [m for name, messages in (errors or {}).items() if name not in skip for m in messages]


@register.filter
def page_messages(messages):
    """The messages shown at the top of the page: not those that belong to a section (extra
    tags "at-<section>", shown where the person acted, see includes/_messages_at.html)."""
    return [m for m in messages or () if "at-" not in (m.extra_tags or "")]


NAVBAR = "includes/_navbar.html"


@register.simple_tag(takes_context=True)
def navbar(context):
    """The navigation bar of base.html for the signed-in person, rendered once per content
    (kl14.fragments): its links with their badges, which of them is this page's, the person's
    name and the guide's address for this page are the key."""
    request = context.get("request")
    path = request.path if request is not None else None
    links = context.get("nav_items") or []
    bar = {
        "menu": context.get("nav_menu") or [],
        # The link of this page, if the bar has one: every other page (each proposal's, say)
        # shares the bar of its person.
        "current": next((link["url"] for link in links if link["url"] == path), None),
        "name": context["user"].get_full_name(),
        "help_url": context.get("help_url") or "",
    }
    return render_each(NAVBAR, [bar], key=shown)[0]
