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
        return self._site(request) + pk_url(view_name, obj.pk)

    def _site(self, request) -> str:
        """`request.build_absolute_uri(path)` for a path `reverse` wrote (quoted already, without
        `.` or `..` segments) is the scheme and host as a URI followed by the path: they are
        found once per request (one field serves every row of a list), not parsed again per row."""
        if self._site_of is None or self._site_of[0] is not request:
            self._site_of = (request, request.build_absolute_uri("/")[:-1])
        return self._site_of[1]

    _site_of = None


def rewritten(request) -> bool:
    """Whether DRF's reverse would change the address for this request."""
    if getattr(request, "versioning_scheme", None) is not None:
        return True
    query = getattr(request, "GET", {})
    overrides = (api_settings.URL_FORMAT_OVERRIDE, api_settings.VERSION_PARAM)
    return any(param and param in query for param in overrides)
