from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx, .xls, .ods or .csv)"),
        help_text=_("Units, people, or both, in the template's columns. Nothing is written yet."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
