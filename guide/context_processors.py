from .links import help_url


def help_link(request):
    """`help_url`: the guide's section for the page being shown (the navbar's "User guide")."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    return {"help_url": help_url(user, match.view_name if match else None)}
