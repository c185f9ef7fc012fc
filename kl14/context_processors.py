from . import navigation as nav


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": []}
    items = nav.items_for_request(request)
    return {"nav_items": items, "nav_menu": nav.menu_of(items)}
