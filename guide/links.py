"""Which part of the guide a page's "User guide" link opens: the section that documents the page
being shown, in the guide of the user's role (a person with several roles gets the first of
content.PREFERENCE), else in the part every user reads, else the guide of their role."""

from django.urls import reverse

from units.roles import user_roles

from . import content


def guides_for(user) -> list[content.RoleGuide]:
    """The role guides of a user, the preferred first."""
    if not user.is_authenticated:
        return []
    roles = user_roles(user).roles()
    ordered = [role for role in content.PREFERENCE if role in roles]
    return [g for role in ordered for g in content.ROLE_GUIDES if g.role == role]


def section_url(guide: content.RoleGuide, section: content.Section | None = None) -> str:
    url = reverse("guide:role", kwargs={"slug": guide.slug})
    return f"{url}#{section.key}" if section else url


def help_url(user, view_name: str | None) -> str:
    mine = guides_for(user)
    for guide in [*mine, content.GENERAL]:
        for section in guide.sections:
            if view_name and view_name in section.url_names:
                return section_url(guide, section)
    if mine:
        return section_url(mine[0])
    return reverse("guide:index")
