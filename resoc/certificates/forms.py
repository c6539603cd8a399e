from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_(
            "Shown publicly on the verification page: do not name the institution or custody."
        ),
    )


class BulkPdfForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")
    issue_due = forms.BooleanField(label=_("Issue the due certificates first"), required=False)
