"""Open redirects: every `next` the app follows (sign in, sign out, the language switch, the
attachment form, the notification centre) refuses a URL of another site, in every disguise, and
still follows a local one."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.http import url_has_allowed_host_and_scheme

from .conftest import PASSWORD, PDF

pytestmark = pytest.mark.django_db

EXTERNAL = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "http:/evil.example",
    " //evil.example/",
    "\t//evil.example/",
    "https://testserver@evil.example/",
    "https://evil.example\\@testserver/",
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
]


def _local(response):
    location = response["Location"]
    assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), location
    assert "evil" not in location and "javascript" not in location and "data:" not in location
    return location


def _set_language(world, as_user, target):
    return as_user(world.cadre).post("/accounts/language/", {"language": "en", "next": target})


def _set_language_anonymous(world, as_user, target):
    return as_user(None).post("/accounts/language/", {"language": "vi", "next": target})


def _sign_in(world, as_user, target):
    return as_user(None).post(
        f"/accounts/login/?next={target}",
        {"username": "cadre", "password": PASSWORD, "next": target},
    )


def _already_signed_in(world, as_user, target):
    return as_user(world.cadre).get("/accounts/login/", {"next": target})


def _sign_out(world, as_user, target):
    return as_user(world.cadre).post("/accounts/logout/", {"next": target})


def _attachment(world, as_user, target):
    return as_user(world.cadre).post(
        f"/proposals/{world.draft.pk}/attachments/",
        {"file": SimpleUploadedFile("a.pdf", PDF), "next": target},
    )


def _notification_read(world, as_user, target):
    return as_user(world.cadre).post(
        f"/notifications/{world.notification.pk}/read/", {"next": target}
    )


def _notifications_read_all(world, as_user, target):
    return as_user(world.cadre).post("/notifications/read-all/", {"next": target})


def _attachment_removed(world, as_user, target):
    return as_user(world.cadre).post(
        f"/proposals/{world.draft.pk}/attachments/{world.draft_attachment.pk}/remove/",
        {"next": target},
    )


FOLLOWERS = [
    _set_language,
    _set_language_anonymous,
    _sign_in,
    _already_signed_in,
    _sign_out,
    _attachment,
    _attachment_removed,
    _notification_read,
    _notifications_read_all,
]


@pytest.mark.parametrize("target", EXTERNAL)
@pytest.mark.parametrize("follow", FOLLOWERS, ids=lambda f: f.__name__.strip("_"))
def test_next_never_leaves_the_site(world, as_user, follow, target):
    world.cadre.set_password(PASSWORD)
    world.cadre.save(update_fields=["password"])
    response = follow(world, as_user, target)
    assert response.status_code == 302
    _local(response)


@pytest.mark.parametrize("follow", FOLLOWERS, ids=lambda f: f.__name__.strip("_"))
def test_a_local_next_is_followed(world, as_user, follow):
    """So the refusals above are the check at work, not a `next` that is never read."""
    world.cadre.set_password(PASSWORD)
    world.cadre.save(update_fields=["password"])
    response = follow(world, as_user, "/calendar/?year=2026")
    assert response.status_code == 302
    # An attachment change goes back to the attachments section of the page it came from.
    assert _local(response).removesuffix("#attachments-heading") == "/calendar/?year=2026"
