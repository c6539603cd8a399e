"""The `resoc` command: Django's manage.py plus Resoc's own sub-commands."""

import os
import sys

# Listing the commands signs nothing and reads no data, so it works before any configuration.
HELP = {"help", "--help", "-h", "--version", "version"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resoc.settings")
    if len(sys.argv) < 2 or sys.argv[1] in HELP:
        os.environ.setdefault("RESOC_SECRET_KEY", "only-for-listing-commands-" + "x" * 30)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A setting missing from the environment is the operator's to fix: say which, no traceback.
        sys.stderr.write(f"resoc: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
