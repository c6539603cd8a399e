import pytest

from resoc.imports.errors import ImportFailed
from resoc.imports.services import import_run


def run(kind, path, **kwargs):
    return import_run(actor="cli", kind=kind, path=path, **kwargs)


def errors_of(kind, path) -> list:
    """The (row, column, message) errors of a failing import."""
    with pytest.raises(ImportFailed) as failed:
        run(kind, path)
    return [(e.row, e.column, e.message) for e in failed.value.errors]


def has_error(errors, row, column, fragment) -> bool:
    return any(e[0] == row and e[1] == column and fragment in e[2] for e in errors)
