"""The form renderer: `{{ form }}` and `{{ field.as_field_group }}` use the same templates as
includes/form.html, so a form renders one way wherever it is written."""

from django.forms.renderers import TemplatesSetting


class Renderer(TemplatesSetting):
    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"
