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


def test_a_list_row_links_as_url_does_under_any_script_prefix():
    """`{% pk_url %}` (and the models' get_absolute_url built on it) resolves the pattern once,
    yet writes what `{% url %}` writes, under the script prefix of the request at hand."""
    from django.template import Context, Template
    from django.urls import get_script_prefix, set_script_prefix

    template = Template(
        "{% pk_url 'notifications:read' pk as read %}{{ read }}|{% url 'notifications:read' pk %}"
        "|{% pk_url 'proposals:detail' pk %}|{% url 'proposals:detail' pk %}"
    )
    before = get_script_prefix()
    try:
        for prefix in ("/", "/kl14/", "/"):
            set_script_prefix(prefix)
            read, expected_read, detail, expected_detail = template.render(
                Context({"pk": 42})
            ).split("|")
            assert read == expected_read and detail == expected_detail
            assert detail.startswith(prefix)
    finally:
        set_script_prefix(before)


def test_models_link_to_their_pages(tree):
    from tests.factories.proposals import ProposalFactory

    proposal = ProposalFactory(home_unit=tree["agency"])
    assert proposal.get_absolute_url() == reverse("proposals:detail", args=[proposal.pk])


def test_plain_urls_are_reverses_under_any_script_prefix():
    """The navigation's addresses (kl14.links.plain_url, resolved once) follow the request's
    script prefix as `reverse` does."""
    from django.urls import get_script_prefix, set_script_prefix

    from kl14.links import plain_url

    before = get_script_prefix()
    try:
        for prefix in ("/", "/kl14/", "/"):
            set_script_prefix(prefix)
            for viewname in ("home", "notifications:list", "proposals:mine", "reviews:dashboard"):
                assert plain_url(viewname) == reverse(viewname)
                assert plain_url(viewname).startswith(prefix)
    finally:
        set_script_prefix(before)


def test_the_navigation_links_follow_the_script_prefix(tree):
    from django.urls import get_script_prefix, set_script_prefix

    from kl14.navigation import items_for
    from tests.factories import grant
    from units.models import Role

    head = grant(tree["agency"], Role.HEAD, username="head")
    before = get_script_prefix()
    try:
        set_script_prefix("/kl14/")
        urls = [item["url"] for item in items_for(head)]
    finally:
        set_script_prefix(before)
    assert urls and all(url.startswith("/kl14/") for url in urls)
    assert reverse("proposals:inbox").replace("/", "/kl14/", 1) in urls
