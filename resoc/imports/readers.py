"""Reading an uploaded table: CSV (UTF-8, comma or semicolon) or the first sheet of an xlsx."""

import csv
import io
from pathlib import Path

from django.utils.translation import gettext as _

from resoc.imports.errors import ImportFailed, RowError

EXTENSIONS = (".csv", ".xlsx")


def _fail(message: str):
    raise ImportFailed([RowError(None, "", message)])


def read_table(path: Path, name: str | None = None) -> list[list]:
    """All rows of the file, the header first, as lists of cell values."""
    suffix = Path(name or path.name).suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    _fail(_("Use a .csv or .xlsx file."))


def _read_csv(path: Path) -> list[list]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(_("The file is not UTF-8 text; save it as “CSV UTF-8”."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        _fail(_("The CSV file cannot be read: %(reason)s") % {"reason": exc})


def _read_xlsx(path: Path) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # a damaged workbook fails in many ways inside openpyxl
        _fail(_("The file is not a readable .xlsx workbook."))
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    except Exception:
        _fail(_("The file is not a readable .xlsx workbook."))
    finally:
        workbook.close()
