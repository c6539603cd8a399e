from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resoc.accounts.models import User
from resoc.core.forms import DateInput, UserModelForm
from resoc.grants import roles
from resoc.grants.models import SCORE_MAX, Application, Call, GrantItem, Visit
from resoc.people.selectors import person_list_for_user
from resoc.procurement.models import PurchaseOrder
from resoc.registry.models import Country, Organisation, ProjectCycle, currency_code


class CurrencyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        super().__init__(validators=[currency_code], **kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class CallForm(UserModelForm):
    committee = forms.ModelMultipleChoiceField(
        label=_("Evaluation committee"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least two members score each application before a decision."),
    )

    class Meta:
        model = Call
        fields = [
            "code",
            "cycle",
            "country",
            "title",
            "budget_eur",
            "opens_on",
            "closes_on",
            "released_within_months",
            "release_within_days",
            "requires_training",
            "requires_no_reoffending",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = ProjectCycle.objects.order_by("-start")
        countries = Country.objects.order_by("name")
        if self.user is not None and self.user.role not in roles.GRANT_WRITERS_EVERYWHERE:
            countries = countries.filter(pk__in=self.user.countries.values("pk"))
        self.fields["country"].queryset = countries
        self.fields["committee"].queryset = User.objects.filter(
            is_active=True, role__in=roles.EVALUATOR_ROLES
        ).order_by("username")
        if self.instance.pk:
            self.initial.setdefault("committee", list(self.instance.committee.all()))


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=200, required=False)
    weight = forms.IntegerField(label=_("Weight (%)"), min_value=1, max_value=100, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("name")) != (data.get("weight") is not None):
            raise forms.ValidationError(_("Give both the name and the weight, or neither."))
        return data


CriteriaFormSet = forms.formset_factory(CriterionForm, extra=0, min_num=6, max_num=12)


class ApplicationForm(UserModelForm):
    person_ref = forms.CharField(
        label=_("Applicant"),
        max_length=40,
        help_text=_("Programme reference of a prisoner or former prisoner."),
    )
    business_plan = forms.FileField(
        label=_("Business plan"), required=False, help_text=_("A PDF document.")
    )

    class Meta:
        model = Application
        fields = ["applied_on", "sector", "business_idea", "currency", "own_contribution"]
        field_classes = {"currency": CurrencyField}

    field_order = ["person_ref", "applied_on", "sector", "business_idea"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_idea"].required = True
        self.fields["business_idea"].widget.attrs["rows"] = 4
        if self.instance.pk:
            self.fields["person_ref"].initial = self.instance.person.ref
            self.fields["person_ref"].disabled = True
        elif not self.initial.get("applied_on"):
            self.initial["applied_on"] = timezone.localdate()

    def clean_person_ref(self):
        if self.instance.pk:
            self.person = self.instance.person
            return self.person.ref
        ref = self.cleaned_data["person_ref"].strip().upper()
        person = person_list_for_user(user=self.user).filter(ref=ref).first()
        if person is None:
            raise forms.ValidationError(_("There is nobody with this reference in your scope."))
        self.person = person
        return ref


class ItemForm(forms.Form):
    description = forms.CharField(label=_("Item"), max_length=200, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)
    unit_cost = forms.DecimalField(
        label=_("Estimated unit cost"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        given = [data.get(n) not in (None, "") for n in ("description", "quantity", "unit_cost")]
        if any(given) and not all(given):
            raise forms.ValidationError(_("Give the item, its quantity and its estimated cost."))
        return data


ItemFormSet = forms.formset_factory(ItemForm, extra=0, min_num=5, max_num=30)


class DeclarationForm(forms.Form):
    NO_CONFLICT, CONFLICT = "none", "conflict"
    declaration = forms.ChoiceField(
        label=_("Declaration"),
        widget=forms.RadioSelect,
        choices=[
            (NO_CONFLICT, _("I declare that I have no conflict of interest with this applicant.")),
            (CONFLICT, _("I have a conflict of interest and will not score this application.")),
        ],
    )
    notes = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a conflict: what ties you to the applicant."),
    )


class ScoreForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria=(), initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        initial_scores = initial_scores or {}
        fields = {}
        for criterion in self.criteria:
            fields[f"c{criterion.pk}"] = forms.IntegerField(
                label=_("%(name)s (weight %(weight)s%%)")
                % {"name": criterion.name, "weight": criterion.weight},
                min_value=0,
                max_value=SCORE_MAX,
                initial=initial_scores.get(criterion.pk),
                help_text=_("0 to %(max)s") % {"max": SCORE_MAX},
            )
        self.fields = {**fields, **self.fields}

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (Application.Decision.APPROVED, Application.Decision.APPROVED.label),
            (Application.Decision.WAITLISTED, Application.Decision.WAITLISTED.label),
            (Application.Decision.REJECTED, Application.Decision.REJECTED.label),
        ],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    approved_eur = forms.DecimalField(
        label=_("Amount approved (EUR)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("For an approval; the amount asked for when empty."),
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("decided_on", timezone.localdate())


class GrantItemForm(UserModelForm):
    class Meta:
        model = GrantItem
        fields = [
            "description",
            "quantity",
            "unit_price",
            "currency",
            "purchased_on",
            "supplier",
            "purchase_order",
        ]
        field_classes = {"currency": CurrencyField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.SUPPLIER
        ).order_by("name")
        self.fields["purchase_order"].queryset = PurchaseOrder.objects.select_related(
            "award__bid__supplier"
        ).order_by("-issued_on")
        self.fields["purchase_order"].help_text = _("When the item was bought through a tender.")
        self.initial.setdefault("purchased_on", timezone.localdate())


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DateInput())
    ownership_on = forms.DateField(
        label=_("Ownership passes to the person on"),
        widget=DateInput(),
        required=False,
        help_text=_("May be recorded later."),
    )
    handover = forms.FileField(
        label=_("Signed handover document"), help_text=_("PDF, JPEG or PNG.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("delivered_on", timezone.localdate())


class OwnershipForm(forms.Form):
    ownership_on = forms.DateField(label=_("Ownership passes to the person on"), widget=DateInput())


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("closed_on", timezone.localdate())


class VisitForm(UserModelForm):
    business_active = forms.TypedChoiceField(
        label=_("Business active"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG or PNG; kept only with the person's consent to photographs."),
    )

    class Meta:
        model = Visit
        fields = ["visited_on", "business_active", "revenue_band", "jobs_created", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["business_active"] = "yes" if self.instance.business_active else "no"
            del self.fields["photo"]
        elif not self.initial.get("visited_on"):
            self.initial["visited_on"] = timezone.localdate()


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("Photo"), help_text=_("JPEG or PNG."))
