from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resoc.core.forms import DateInput, UserModelForm
from resoc.equipment import lifecycle
from resoc.equipment.models import EquipmentFile, EquipmentItem, Status
from resoc.equipment.uploads import STATUS_DOCUMENT_TYPES, check_upload, types_for_kind
from resoc.registry.models import Organisation, ProjectCycle
from resoc.registry.selectors import workshop_list_for_user


class EquipmentItemForm(UserModelForm):
    class Meta:
        model = EquipmentItem
        fields = [
            "code",
            "workshop",
            "cycle",
            "name",
            "category",
            "specification",
            "quantity",
            "unit_price",
            "currency",
            "supplier",
            "serial_numbers",
            "warranty_end",
        ]
        widgets = {
            "specification": forms.Textarea(attrs={"rows": 4}),
            "serial_numbers": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "currency": _(
                "ISO 4217 code, e.g. EUR, RSD, BAM, ALL. The value in EUR uses the rate of the "
                "delivery date, else of the order date."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A coordinator places equipment in the workshops of their own countries only.
        self.fields["workshop"].queryset = workshop_list_for_user(user=self.user)
        self.fields["cycle"].queryset = ProjectCycle.objects.all()
        self.fields["supplier"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.SUPPLIER
        )

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when going back to an earlier status."),
    )
    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("Optional, e.g. the handover protocol: PDF, JPEG or PNG, up to 10 MB."),
    )

    def __init__(self, *args, item: EquipmentItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        allowed = lifecycle.allowed_next(item.status)
        forward = [s for s in allowed if not lifecycle.is_backward(item.status, s)]
        back = [s for s in allowed if lifecycle.is_backward(item.status, s)]
        self.fields["to_status"].choices = [
            ("", "---------"),
            *[(s, Status(s).label) for s in forward],
            *[(s, _("Back to %(status)s") % {"status": Status(s).label}) for s in back],
        ]
        self.fields["on"].initial = timezone.localdate()

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document:
            check_upload(document, STATUS_DOCUMENT_TYPES)
        return document

    def clean(self):
        data = super().clean()
        to_status = data.get("to_status")
        if to_status:
            error = lifecycle.transition_error(self.item.status, to_status, data.get("reason"))
            if error:
                field = "reason" if lifecycle.is_backward(self.item.status, to_status) else None
                self.add_error(field, error)
        return data


class EquipmentFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EquipmentFile.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("Photos: JPEG or PNG; documents: PDF. Up to 10 MB."),
    )

    def clean(self):
        data = super().clean()
        upload, kind = data.get("file"), data.get("kind")
        if upload and kind:
            try:
                check_upload(upload, types_for_kind(kind))
            except ValidationError as exc:
                self.add_error("file", exc)
        return data
