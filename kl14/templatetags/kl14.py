from django import template

register = template.Library()

_SELECTS = {"select", "selectmultiple", "nullbooleanselect"}
_CHECKS = {"checkbox", "radioselect", "checkboxselectmultiple", "clearablefile"}


@register.simple_tag
def widget(field, **attrs):
    """Renders a bound field's widget with Bootstrap classes and accessible error hints."""
    kind = field.widget_type
    css = "form-select" if kind in _SELECTS else "form-control"
    if kind in _CHECKS and kind != "clearablefile":
        css = "form-check-input"
    if field.errors:
        css += " is-invalid"
        attrs.setdefault("aria-invalid", "true")
    described = []
    if field.help_text:
        described.append(f"{field.id_for_label}_help")
    if field.errors:
        described.append(f"{field.id_for_label}_errors")
    if described:
        attrs.setdefault("aria-describedby", " ".join(described))
    existing = field.field.widget.attrs.get("class", "")
    attrs["class"] = f"{existing} {css}".strip()
    return field.as_widget(attrs=attrs)
