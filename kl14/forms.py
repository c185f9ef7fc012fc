"""The form renderer, and the one choice field of many rows every form uses.

The renderer: `{{ form }}` and `{{ field.as_field_group }}` use the same templates as
includes/form.html, so a form renders one way wherever it is written.

Django renders each control through its widget templates, and a select through one template
include per option: ~90 µs an option, 3–4 ms for the dashboard's four selects at national scale.
For Django's own templates of the plain controls (a select and its options, the one-line inputs,
a textarea) the renderer writes the very same HTML in Python instead. It recognises them by their
source text as this Django installs it, at first use: a template a project overrides, or one a
later Django writes differently, is rendered by its template as before."""

from pathlib import Path

import django
from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django.forms.renderers import TemplatesSetting
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData

_DJANGO_TEMPLATES = Path(django.__file__).resolve().parent / "forms" / "templates"
_WIDGETS = "django/forms/widgets/"
_OPTION = _WIDGETS + "select_option.html"

# The sources the fast paths reproduce (Django 5.2's files, byte for byte).
_SELECT = (
    '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
    "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
    '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
    "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
    "  </optgroup>{% endif %}{% endfor %}\n"
    "</select>\n"
)
_SELECT_OPTION = (
    "<option value=\"{{ widget.value|stringformat:'s' }}\""
    '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n'
)
_ATTRS = (
    "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
    "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}"
    "{% endfor %}"
)
_INPUT = (
    '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
    "value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
    '{% include "django/forms/widgets/attrs.html" %}>\n'
)
_INPUT_INCLUDE = '{% include "django/forms/widgets/input.html" %}\n'
_TEXTAREA = (
    '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
    "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>\n"
)


class _Context:
    """What `render_value_in_context` reads of a template context: the renderer's templates get
    a plain Context (autoescaping, the active language's formats, the current time zone)."""

    autoescape = True
    use_l10n = None
    use_tz = None


_CONTEXT = _Context()


def _text(value) -> str:
    """`{{ value }}` in a template."""
    return render_value_in_context(value, _CONTEXT)


def _stringformat(value) -> str:
    """`{{ value|stringformat:'s' }}` in a template (the filter keeps what is already safe)."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 (the filter's own formatting)
    except (ValueError, TypeError):
        return ""
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html"""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(" " + _text(name))
        if value is not True:
            parts.append(f'="{_stringformat(value)}"')
    return "".join(parts)


def _option(option) -> str:
    return (
        f'<option value="{_stringformat(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>\n"
    )


def _select(widget) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != _OPTION:
                return None  # an option of its own kind: its template renders the select
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _input(widget) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_stringformat(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _textarea(widget) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>\n"
    )


class Renderer(TemplatesSetting):
    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"

    def __init__(self):
        super().__init__()
        self._fast = {}

    def render(self, template_name, context, request=None):
        fast = self._fast_path(template_name)
        if fast is not None and request is None:
            html = fast(context["widget"])
            if html is not None:
                return html.strip()  # as Django's renderers do with a template's output
        return super().render(template_name, context, request=request)

    def _fast_path(self, template_name):
        """The Python rendering of a widget template, or None to render the template. Decided
        once per template name, from the template the engine would load."""
        if not template_name.startswith(_WIDGETS):
            return None
        if template_name not in self._fast:
            self._fast[template_name] = self._recognise(template_name)
        return self._fast[template_name]

    def _recognise(self, template_name):
        source = self._django_source(template_name)
        if source == _INPUT_INCLUDE and self._django_source(_WIDGETS + "input.html") == _INPUT:
            fast = _input  # text.html and its kin: input.html, then a line end
        else:
            fast = {_SELECT: _select, _TEXTAREA: _textarea, _INPUT: _input}.get(source)
        if fast is None:
            return None
        needs = [(_WIDGETS + "attrs.html", _ATTRS)]
        if fast is _select:
            needs.append((_OPTION, _SELECT_OPTION))
        return fast if all(self._django_source(n) == s for n, s in needs) else None

    def _django_source(self, template_name):
        """The source of the template the engine loads for the name, if it is Django's own."""
        template = self.get_template(template_name).template
        origin = Path(template.origin.name).resolve()
        if not origin.is_relative_to(_DJANGO_TEMPLATES):
            return None
        return template.source


class ModelChoicesField(forms.ModelMultipleChoiceField):
    """Django's ModelMultipleChoiceField, with a key no row can have (an integer past its
    column's range) answered as an invalid choice. Django asks the database for the chosen keys
    with one `IN (…)`, which SQLite refuses with an OverflowError for an integer past 64 bits: a
    500 for a checkbox's value edited to 99999999999999999999. Every form of KL14 uses this field
    for a choice of many rows (tests/reliability/test_odd_choices.py holds them to it)."""

    def _check_values(self, value):
        meta = self.queryset.model._meta
        field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        ops = connections[self.queryset.db].ops
        kind = field.get_internal_type()
        if kind in ops.integer_field_ranges:  # keys of other types: Django's own checks
            low, high = ops.integer_field_range(kind)  # SQLite: 64 bits for every kind
            for raw in value:
                try:
                    number = int(raw)
                except (TypeError, ValueError):
                    continue  # Django's own check answers it (invalid_pk_value)
                if not low <= number <= high:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": raw},
                    )
        return super()._check_values(value)
