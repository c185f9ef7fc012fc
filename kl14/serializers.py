"""Serializer fields shared by the apps' APIs."""

from rest_framework.relations import HyperlinkedIdentityField
from rest_framework.settings import api_settings

from kl14.links import pk_url


class PkIdentityField(HyperlinkedIdentityField):
    """The object's own API address, as DRF writes it, from the address of its view resolved once
    (kl14.links.pk_url) instead of a `reverse` per row. DRF's own way when the address would
    differ: a versioning scheme, a format suffix or override, a lookup other than the pk."""

    def get_url(self, obj, view_name, request, format):
        if self.lookup_field != "pk" or format or request is None or _rewritten(request):
            return super().get_url(obj, view_name, request, format)
        if obj.pk in (None, ""):
            return None
        return request.build_absolute_uri(pk_url(view_name, obj.pk))


def _rewritten(request) -> bool:
    """Whether DRF's reverse would change the address for this request."""
    if getattr(request, "versioning_scheme", None) is not None:
        return True
    query = getattr(request, "GET", {})
    overrides = (api_settings.URL_FORMAT_OVERRIDE, api_settings.VERSION_PARAM)
    return any(param and param in query for param in overrides)
