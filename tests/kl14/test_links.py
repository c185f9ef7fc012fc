"""kl14.links.pk_urls gives what reverse gives, one reverse for any number of objects."""

import pytest
from django.urls import reverse

from kl14.links import pk_urls


@pytest.mark.parametrize("viewname", ["proposals:detail", "reviews:review", "reviews:abuse"])
def test_the_addresses_are_reverses(viewname):
    url = pk_urls(viewname)
    for pk in (1, 42, 987654321, 10**12):
        assert url(pk) == reverse(viewname, args=[pk])


def test_only_integers_go_into_an_address():
    with pytest.raises(ValueError):
        pk_urls("proposals:detail")("1/../../admin")
