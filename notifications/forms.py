from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email"]
        widgets = {"email": forms.RadioSelect}
        labels = {"email": _("Send my notifications by e-mail")}
