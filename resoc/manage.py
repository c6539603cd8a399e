"""The `resoc` command: Django's manage.py plus Resoc's own sub-commands."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resoc.settings")
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
