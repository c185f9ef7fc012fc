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
