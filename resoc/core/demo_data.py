"""The demo: the programme's registry, a few hundred synthetic people and one user per role.

Every demo user has the password DEMO_PASSWORD. The users whose role sees personal data must use
a second factor, so they get a TOTP authenticator with the fixed secret DEMO_TOTP_SECRET: add it to
an authenticator app, or print the current code with `resoc demo --totp USERNAME`.
"""

import time
from collections import Counter
from dataclasses import dataclass

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.db import transaction
from django.utils import timezone

from resoc.accounts.models import Role, User
from resoc.accounts.services import user_add
from resoc.audit.services import audit_record
from resoc.core.seeding import grants, procurement, reentry, seed_run, training
from resoc.registry.models import Institution

DEMO_SEED = 2014
DEMO_PERSONS = 400
DEMO_PASSWORD = "resoc-demo-2025"  # noqa: S105 - documented, for the demo only
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - documented, for the demo only


class DemoError(Exception):
    pass


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    scope: str
    countries: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()


DEMO_USERS = (
    DemoUser("admin", Role.ADMIN, "everything, and user accounts"),
    DemoUser("manager", Role.MANAGER, "the whole programme"),
    DemoUser("coordinator.rs", Role.COORDINATOR, "Serbia", countries=("RS",)),
    DemoUser(
        "officer.nis", Role.OFFICER, "people held or working at CI Niš", institutions=("RS-NIS",)
    ),
    DemoUser(
        "trainer.nis", Role.TRAINER, "trainees of their cohorts at CI Niš", institutions=("RS-NIS",)
    ),
    DemoUser(
        "commissioner.nis",
        Role.COMMISSIONER,
        "released people living in Niš",
        municipalities=("Niš",),
    ),
    DemoUser("grants.rs", Role.GRANTS, "grants in Serbia", countries=("RS",)),
    DemoUser("procurement", Role.PROCUREMENT, "procurement, no personal data"),
    DemoUser("donor", Role.DONOR, "programme results, no personal data"),
    DemoUser("auditor", Role.AUDITOR, "everything, read-only, and the audit trail"),
)


def demo_is_loaded() -> bool:
    """The demo loads into an empty database only: one without institutions."""
    return Institution.objects.exists()


def _needs_totp(role: str) -> bool:
    return User(role=role).sees_personal_data


@transaction.atomic
def demo_load() -> Counter:
    """The registry, DEMO_PERSONS people and the demo users (existing usernames are kept)."""
    counts = seed_run(persons=DEMO_PERSONS, seed=DEMO_SEED)
    taken = set(User.objects.values_list("username", flat=True))
    for spec in DEMO_USERS:
        if spec.username in taken:
            continue
        user = user_add(
            username=spec.username,
            role=spec.role,
            password=DEMO_PASSWORD,
            countries=list(spec.countries),
            institutions=list(spec.institutions),
            municipalities=list(spec.municipalities),
        )
        if _needs_totp(spec.role):
            TOTP.activate(user, DEMO_TOTP_SECRET)
        counts["user"] += 1
    # The seeded tenders' evaluation committees are made of demo users, who exist only now.
    counts["evaluator"] += procurement.seed_committees(seed=DEMO_SEED)
    # Release plans go to the commissioners of their destination, who exist only now too.
    counts["commissioner_assignment"] += reentry.seed_reentry_users(seed=DEMO_SEED)
    # The trainers' cohorts, and one running today in each of their institutions.
    counts["trainer_cohort"] += training.seed_trainers(seed=DEMO_SEED)
    # The grant calls' committees (grants.rs among them) score the seeded applications.
    counts["grant_evaluation"] += grants.seed_grant_committees(seed=DEMO_SEED)
    counts["certificate"] += _issue_certificates()
    audit_record("demo.loaded", actor=None, detail={"counts": dict(sorted(counts.items()))})
    return counts


def _issue_certificates() -> int:
    """The certificates of the ended cohorts of certified courses, issued on their last day."""
    from resoc.certificates.services import certificates_issue_due
    from resoc.training.models import Cohort

    ended = Cohort.objects.filter(course__certified=True, end__lt=timezone.localdate())
    issued = 0
    for cohort in ended.order_by("end", "code"):
        with transaction.atomic():
            issued += len(certificates_issue_due(actor=None, cohort=cohort, on=cohort.end))
    return issued


def demo_totp_code(username: str) -> tuple[str, int]:
    """The current code of a demo user's authenticator and the seconds it stays valid."""
    authenticator = Authenticator.objects.filter(
        user__username=username, type=Authenticator.Type.TOTP
    ).first()
    if authenticator is None:
        raise DemoError(f"{username!r} has no authenticator app (TOTP).")
    secret = decrypt(authenticator.data["secret"])
    if secret != DEMO_TOTP_SECRET:
        raise DemoError(f"{username!r} is not a demo user: codes are shown for demo users only.")
    now = int(time.time())
    period = mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, now // period)), period - now % period


def demo_instructions(*, port: int) -> str:
    width = max(len(u.username) for u in DEMO_USERS) + 2
    lines = [
        "",
        f"Resoc demo: open http://127.0.0.1:{port}/accounts/login/",
        "",
        f"Every demo user's password is: {DEMO_PASSWORD}",
        "",
        f"  {'user':<{width}}{'role':<26}{'2nd factor':<12}sees",
    ]
    for spec in DEMO_USERS:
        factor = "TOTP" if _needs_totp(spec.role) else "-"
        label = str(Role(spec.role).label)
        lines.append(f"  {spec.username:<{width}}{label:<26}{factor:<12}{spec.scope}")
    lines += [
        "",
        "Users marked TOTP are then asked for a 6-digit code. Either add this secret to an",
        f"authenticator app (any TOTP app, 30-second codes): {DEMO_TOTP_SECRET}",
        "or print the current code from another terminal (a code is accepted once):",
        "  RESOC_DEMO=1 .venv/bin/resoc demo --totp officer.nis",
        "",
    ]
    return "\n".join(lines)
