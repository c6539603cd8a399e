from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resoc.accounts.models import User
from resoc.core.forms import DateInput, UserModelForm
from resoc.procurement import roles
from resoc.procurement.models import Bid, Lot, Tender
from resoc.procurement.selectors import items_for_lot
from resoc.registry.models import Organisation, ProjectCycle, code_validator


class TenderForm(UserModelForm):
    class Meta:
        model = Tender
        fields = ["code", "cycle", "title", "method", "published_on", "deadline_on", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = ProjectCycle.objects.all()


class TenderStatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when cancelling."),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s, Tender.Status(s).label) for s in choices]


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, item):
        return (
            f"{item.code} · {item.name} · {item.workshop.code} · {item.quantity} × "
            f"{item.unit_price} {item.currency}"
        )


class LotForm(UserModelForm):
    items = ItemChoiceField(
        label=_("Items"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Items of the tender's cycle that are specified and in no other lot."),
    )

    class Meta:
        model = Lot
        fields = ["number", "title"]

    def __init__(self, *args, tender=None, **kwargs):
        super().__init__(*args, **kwargs)
        lot = self.instance if self.instance.pk else None
        self.fields["items"].queryset = items_for_lot(tender=tender, lot=lot)
        if lot is not None:
            self.initial.setdefault(
                "items", list(lot.lot_items.filter(active=True).values_list("item", flat=True))
            )
        else:
            self.initial.setdefault("number", (tender.lots.count() + 1) if tender else 1)


class BidForm(UserModelForm):
    class Meta:
        model = Bid
        fields = ["supplier", "amount", "currency", "compliant", "received_on", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.SUPPLIER
        )

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


class EvaluatorForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Evaluator"), queryset=User.objects.none())

    def __init__(self, *args, tender=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True, role__in=roles.EVALUATOR_ROLES)
            .exclude(evaluations__tender=tender)
            .order_by("username")
        )


class DeclarationForm(forms.Form):
    NO_CONFLICT, CONFLICT = "none", "conflict"
    declaration = forms.ChoiceField(
        label=_("Declaration"),
        widget=forms.RadioSelect,
        choices=[
            (
                NO_CONFLICT,
                _("I declare that I have no conflict of interest with any bidder of this tender."),
            ),
            (CONFLICT, _("I have a conflict of interest and will not score or vote.")),
        ],
    )
    notes = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a conflict: with which bidder, and why."),
    )


class ScoreForm(forms.Form):
    score = forms.DecimalField(
        label=_("Score (0–100)"), min_value=0, max_value=100, decimal_places=2
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BidRadio(forms.RadioSelect):
    """Marks the lowest compliant bids, so the page can hide the reason while one is chosen."""

    lowest: set = frozenset()

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if getattr(value, "value", value) in self.lowest:
            option["attrs"]["data-lowest"] = "1"
        return option


class AwardForm(forms.Form):
    bid = forms.ModelChoiceField(label=_("Bid"), queryset=Bid.objects.none(), widget=BidRadio)
    awarded_on = forms.DateField(label=_("Awarded on"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the bid is not the lowest compliant one."),
    )

    def __init__(self, *args, lot=None, lowest_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["bid"]
        field.queryset = (
            lot.bids.select_related("supplier").filter(compliant=True).order_by("amount_eur", "pk")
        )
        lowest_ids = set(lowest_ids)
        mark = " · " + str(_("lowest compliant"))
        field.label_from_instance = lambda b: (
            f"{b.supplier} · {b.amount} {b.currency} · {b.amount_eur} EUR"
            + (mark if b.pk in lowest_ids else "")
        )
        field.widget.lowest = lowest_ids
        if lowest_ids:
            self.initial.setdefault("bid", min(lowest_ids))
        self.initial.setdefault("awarded_on", timezone.localdate())


class PurchaseOrderForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=40, validators=[code_validator])
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput())
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    currency = forms.CharField(label=_("Currency"), max_length=3)

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DateInput())
    items = ItemChoiceField(
        label=_("Items delivered"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    handover = forms.FileField(
        label=_("Handover document"), help_text=_("The signed handover protocol: PDF, JPEG or PNG.")
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items
        self.initial.setdefault("items", [i.pk for i in items])
        self.initial.setdefault("delivered_on", timezone.localdate())
