"""The form renderer writes Django's plain controls in Python (kl14/forms.py): the HTML must be
the very HTML Django's templates write, and a template the project overrides must still win."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.test import override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from kl14.forms import Renderer

CHOICES = [
    ("", "---------"),
    (1, "Sở Nội vụ"),
    ("a&b", 'Xã "Tân <An>"'),
    ("safe", mark_safe("<b>đậm</b>")),
    (Decimal("2.5"), 2026),
    ("lazy", gettext_lazy("Notifications")),
    ("Nhóm <1>", [("x", "X"), ("y", datetime.date(2026, 12, 1))]),
]

WIDGETS = [
    ("select", forms.Select(choices=CHOICES), "a&b"),
    ("select, none chosen", forms.Select(choices=CHOICES), None),
    ("select, an int", forms.Select(choices=CHOICES), 1),
    ("select in a group", forms.Select(choices=CHOICES), "y"),
    (
        "select with attrs",
        forms.Select(
            choices=CHOICES, attrs={"class": "form-select", "disabled": True, "data-x": 'q"<'}
        ),
        "",
    ),
    ("select multiple", forms.SelectMultiple(choices=CHOICES), ["x", "safe", 1]),
    ("null boolean", forms.NullBooleanSelect(), True),
    (
        "text",
        forms.TextInput(attrs={"placeholder": "<gõ>", "required": True, "autofocus": False}),
        'a "b" <c>',
    ),
    ("text, empty", forms.TextInput(), None),
    ("text, safe value", forms.TextInput(), mark_safe("<i>x</i>")),
    ("number", forms.NumberInput(attrs={"min": 0, "step": Decimal("0.5")}), 12),
    ("email", forms.EmailInput(), "a@b.vn"),
    ("url", forms.URLInput(), "https://x.vn/?a=1&b=2"),
    ("password", forms.PasswordInput(render_value=True), "s3cr&t"),
    ("hidden", forms.HiddenInput(), "next?x=<y>"),
    ("date", forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 12, 1)),
    ("datetime", forms.DateTimeInput(), datetime.datetime(2026, 12, 1, 8, 30)),
    ("time", forms.TimeInput(), datetime.time(7, 5)),
    ("search", forms.SearchInput(), "thủ tục"),
    ("tel", forms.TelInput(), "+84 24"),
    ("color", forms.ColorInput(), "#ffcc00"),
    ("checkbox", forms.CheckboxInput(attrs={"class": "form-check-input"}), True),
    ("checkbox off", forms.CheckboxInput(), False),
    ("file", forms.FileInput(), None),
    ("textarea", forms.Textarea(attrs={"rows": 3}), 'dòng 1\n<dòng 2> & "3"'),
    ("textarea, empty", forms.Textarea(), ""),
]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("name", "widget", "value"), WIDGETS, ids=[w[0] for w in WIDGETS])
def test_the_html_is_django_s_own(name, widget, value, language):
    with override(language):
        django_html = widget.render(
            "field", value, attrs={"id": "id_field"}, renderer=TemplatesSetting()
        )
        ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=Renderer())
    assert ours == django_html


@pytest.mark.parametrize(("name", "widget", "value"), WIDGETS, ids=[w[0] for w in WIDGETS])
def test_the_plain_controls_do_not_go_through_templates(name, widget, value, monkeypatch):
    """Each of these is written in Python, not by its template (what would make it fast)."""
    renderer = Renderer()
    by_template = []
    monkeypatch.setattr(
        TemplatesSetting, "render", lambda self, name, *a, **k: by_template.append(name)
    )
    html = widget.render("field", value, renderer=renderer)
    assert by_template == []
    assert html.startswith(("<select", "<input", "<textarea"))


def test_a_widget_the_project_overrides_renders_by_its_template(settings, tmp_path):
    own = tmp_path / "django" / "forms" / "widgets"
    own.mkdir(parents=True)
    (own / "select.html").write_text("<p>our select {{ widget.name }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [str(tmp_path), *settings.TEMPLATES[0]["DIRS"]]}
    ]
    html = forms.Select(choices=CHOICES).render("unit", "", renderer=Renderer())
    assert html == "<p>our select unit</p>"
    # The inputs, not overridden, still take the fast path and render as Django does.
    assert forms.TextInput().render("q", "x", renderer=Renderer()) == forms.TextInput().render(
        "q", "x", renderer=TemplatesSetting()
    )


def test_an_option_of_another_kind_renders_the_select_by_its_template():
    class Fancy(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Fancy(choices=[("1", "một")])
    ours = widget.render("f", "1", renderer=Renderer())
    assert ours == widget.render("f", "1", renderer=TemplatesSetting())
    assert "<option" not in ours


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_numbers_as_labels_are_localised_as_in_a_template():
    widget = forms.Select(choices=[(1, 1234567), (2, Decimal("1234.5"))])
    with override("vi"):
        ours = widget.render("n", 1, renderer=Renderer())
        assert ours == widget.render("n", 1, renderer=TemplatesSetting())
    assert "1.234.567" in ours
