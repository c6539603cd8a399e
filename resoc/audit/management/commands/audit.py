from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from resoc.audit.selectors import audit_verify


class Command(BaseCommand):
    help = "The audit trail: `audit verify` checks that no entry was altered, removed or inserted."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check the hash chain of the whole trail.")

    def handle(self, *args, action, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                _(
                    "Audit trail broken at entry %(bad)s: %(reason)s "
                    "(%(checked)s entries before it intact)."
                )
                % {"bad": result.bad_entry, "reason": result.reason, "checked": result.checked}
            )
        self.stdout.write(_("Audit trail intact: %(count)s entries") % {"count": result.checked})
