"""Serializer fields shared by the apps' APIs."""

from rest_framework.relations import HyperlinkedIdentityField
from rest_framework.settings import api_settings

from kl14.links import pk_url


class PkIdentityField(HyperlinkedIdentityField):
    """The object's own API address, as DRF writes it, from the address of its view resolved once
    (kl14.links.pk_url) instead of a `reverse` per row. DRF's own way when the address would
    differ: a versioning scheme, a format suffix or override, a lookup other than the pk."""

    def get_url(self, obj, view_name, request, format):
        if self.lookup_field != "pk" or format or request is None or rewritten(request):
            return super().get_url(obj, view_name, request, format)
        if obj.pk in (None, ""):
            return None
        if self._site_of is None or self._site_of[0] is not request:
            self._site_of = (request, site(request))  # one field serves every row of a list
        return self._site_of[1] + pk_url(view_name, obj.pk)

    _site_of = None


def site(request) -> str:
    """This site's scheme and host as a URI: `request.build_absolute_uri(path)` for a path
    `reverse` wrote (quoted already, without `.` or `..` segments) is this followed by the path,
    so a list finds it once instead of parsing every row's address again."""
    return request.build_absolute_uri("/")[:-1]


def rewritten(request) -> bool:
    """Whether DRF's reverse would change the address for this request."""
    if getattr(request, "versioning_scheme", None) is not None:
        return True
    query = getattr(request, "GET", {})
    overrides = (api_settings.URL_FORMAT_OVERRIDE, api_settings.VERSION_PARAM)
    return any(param and param in query for param in overrides)
