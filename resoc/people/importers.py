"""The `persons` import kind: people with their custody episode or staff position."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resoc.imports.kinds import Kind, field_column, register
from resoc.imports.parsers import Text
from resoc.imports.plan import CHUNK, upsert
from resoc.people.models import CustodyEpisode, Person, StaffPosition
from resoc.people.selectors import OPEN_CUSTODY

K = Person.Kind
IN_CUSTODY_KINDS = (K.PRISONER, K.FORMER_PRISONER)
PERSON_FIELDS = ("ref", "given_name", "family_name", "sex", "birth_year", "kind")
PERSON_FIELDS += ("home_municipality",)
CUSTODY_FIELDS = ("admitted_on", "expected_release_on", "released_on")

COLUMNS = (
    field_column(
        Person,
        "ref",
        parser=Text(upper=True),
        help=gettext_lazy("Programme reference; stored upper-case."),
    ),
    field_column(Person, "given_name"),
    field_column(Person, "family_name"),
    field_column(Person, "sex"),
    field_column(Person, "birth_year"),
    field_column(Person, "kind"),
    field_column(
        CustodyEpisode,
        "institution",
        required=False,
        help=gettext_lazy(
            "Code of the institution: of the custody for prisoners and former prisoners, "
            "of the position for staff."
        ),
    ),
    field_column(
        CustodyEpisode,
        "admitted_on",
        required=False,
        help=gettext_lazy("Admission date; required for prisoners and former prisoners."),
    ),
    field_column(CustodyEpisode, "expected_release_on"),
    field_column(
        CustodyEpisode,
        "released_on",
        help=gettext_lazy("Release date; required for former prisoners, empty for prisoners."),
    ),
    field_column(Person, "home_municipality"),
)


def _check_row(row) -> list:
    kind, errors = row["kind"], []
    in_custody = kind in IN_CUSTODY_KINDS
    if (in_custody or kind == K.STAFF) and not row.get("institution"):
        errors.append(("institution", _("Required for prisoners, former prisoners and staff.")))
    if kind == K.FAMILY_MEMBER and row.get("institution"):
        errors.append(("institution", _("Family members have no institution.")))
    if in_custody and not row.get("admitted_on"):
        errors.append(("admitted_on", _("Required for prisoners and former prisoners.")))
    if kind == K.FORMER_PRISONER and not row.get("released_on"):
        errors.append(("released_on", _("Required for former prisoners.")))
    if kind == K.PRISONER and row.get("released_on"):
        errors.append(
            (
                "released_on",
                _("A prisoner has no release date; a released person is a former_prisoner."),
            )
        )
    for name in CUSTODY_FIELDS:
        if not in_custody and row.get(name):
            errors.append((name, _("Only for prisoners and former prisoners.")))
    admitted = row.get("admitted_on")
    for name in ("expected_release_on", "released_on"):
        if admitted and row.get(name) and row[name] < admitted:
            message = _("Cannot precede the admission (%(date)s).") % {"date": admitted}
            errors.append((name, message))
    return errors


def _open_elsewhere(plan, custody_items) -> None:
    """One open custody at a time: a row may not open (or leave open) a second one."""
    people = {values["person"].pk for _row, values in custody_items if values["person"].pk}
    open_by_person = {}
    people = sorted(people)
    for start in range(0, len(people), CHUNK):
        episodes = CustodyEpisode.objects.filter(
            OPEN_CUSTODY, person_id__in=people[start : start + CHUNK]
        )
        for episode in episodes.select_related("institution").order_by():
            open_by_person.setdefault(episode.person_id, []).append(episode)
    for row, values in custody_items:
        for episode in open_by_person.get(values["person"].pk, ()):
            same = (episode.institution_id, episode.admitted_on) == (
                values["institution"].pk,
                values["admitted_on"],
            )
            if not same:
                message = _(
                    "This person is in custody at %(institution)s since %(date)s; record the "
                    "transfer or release there first."
                ) % {"institution": episode.institution.code, "date": episode.admitted_on}
                plan.error(row, "admitted_on", message)


def _apply(plan, rows) -> None:
    people = upsert(
        plan,
        model=Person,
        items=[(row, {n: row[n] for n in PERSON_FIELDS if n in row}) for row in rows],
        key=("ref",),
        person_ref=lambda values: values["ref"],
        prepare=Person.refresh_search_keys,
        derived=("given_key", "family_key"),
    )
    custody, staff = [], []
    for row in rows:
        person = people[(row["ref"],)]
        if row["kind"] in IN_CUSTODY_KINDS:
            values = {"person": person, "institution": row["institution"]}
            values.update({n: row[n] for n in CUSTODY_FIELDS if n in row})
            custody.append((row, values))
        elif row["kind"] == K.STAFF:
            staff.append((row, {"person": person, "institution": row["institution"]}))
    _open_elsewhere(plan, custody)
    from resoc.work.importers import plan_assignments_end  # the work app builds on people

    plan_assignments_end(plan, custody)  # a release ends the person's open work assignments
    from resoc.training.importers import plan_enrollments_end  # training builds on people

    plan_enrollments_end(plan, custody)  # and their places in courses
    for model, items, key in (
        (CustodyEpisode, custody, ("person", "institution", "admitted_on")),
        (StaffPosition, staff, ("person", "institution")),
    ):
        upsert(
            plan,
            model=model,
            items=items,
            key=key,
            person_ref=lambda values: values["person"].ref,
            primary=False,
        )


register(
    Kind(
        name="persons",
        label=gettext_lazy("Persons"),
        columns=COLUMNS,
        key=("ref",),
        apply=_apply,
        check_row=_check_row,
        description=gettext_lazy(
            "People; a prisoner or former prisoner row also records the custody episode "
            "(institution, admission), a staff row the staff position."
        ),
    )
)
