"""Running an import: read, validate every row, then write everything in one transaction."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from resoc.audit.services import Event, audit_record_many
from resoc.imports import parsers
from resoc.imports.errors import ImportFailed, RowError
from resoc.imports.kinds import Kind, Row, kind_get
from resoc.imports.plan import Plan, RowOutcome
from resoc.imports.readers import read_table
from resoc.jobs.services import job_enqueue

REF_CHUNK = 2000
# Rows checked between two progress reports of a background import.
PROGRESS_EVERY = 500
CHECKING, WRITING = "checking", "writing"
# progress(stage, done, total): rows checked so far (CHECKING), then once before writing.
Progress = Callable[[str, int, int], None]
logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    kind: Kind
    filename: str
    counts: dict
    rows: list[RowOutcome]
    dry_run: bool


def import_run(
    *,
    actor,
    kind: str | Kind,
    path: Path,
    filename: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the file, or with dry_run only say what it would do. Raises ImportFailed.

    `progress` is told how far the checks are (every PROGRESS_EVERY rows), outside of the
    transaction that writes the records.
    """
    if isinstance(kind, str):
        name, kind = kind, kind_get(kind)
        if kind is None:
            raise ImportFailed([RowError(None, "", _("Unknown kind “%(kind)s”.") % {"kind": name})])
    path = Path(path)
    filename = filename or path.name
    table = read_table(path, filename)
    reshaped = kind.reshape(table) if kind.reshape else None
    if reshaped is None:
        return _import(actor, kind, table, filename, dry_run, progress)
    try:
        result = _import(actor, kind, reshaped.table, filename, dry_run, progress)
    except ImportFailed as exc:
        raise ImportFailed([reshaped.error(e) for e in exc.errors]) from None
    for outcome in result.rows:
        outcome.number = reshaped.row_of(outcome.number)
    return result


def import_enqueue(*, actor, kind: str, path: Path, filename: str, rows: int):
    """Queue the import of a (large, previewed) file as a background job; returns the job.

    The job keeps its own copy of the file until it has run, checks every row again and writes
    all or nothing, as `import_run` does.
    """
    found = kind_get(kind)
    label = found.label if found else kind
    with Path(path).open("rb") as handle:
        return job_enqueue(
            kind="imports.run",
            requested_by=actor,
            params={"kind": kind, "filename": filename, "rows": rows},
            title=_("Import of %(kind)s from %(file)s") % {"kind": label, "file": filename},
            input_file=File(handle, name="upload" + Path(filename).suffix.lower()),
        )


def _import(
    actor, kind: Kind, table: list[list], filename: str, dry_run: bool, progress=None
) -> ImportResult:
    rows = import_rows(kind=kind, table=table, progress=progress)
    if progress:
        progress(WRITING, len(rows), len(rows))
    try:
        with transaction.atomic():
            plan = Plan(kind)
            kind.apply(plan, rows)
            if plan.errors:
                raise ImportFailed(plan.errors)
            counts = plan.counts()
            if not dry_run:
                events = plan.write()
                detail = {"kind": kind.name, "file": filename, "counts": counts}
                events.append(Event(action="import.applied", detail=detail))
                audit_record_many(actor=actor, events=events)
    except IntegrityError:
        # Someone else wrote the same records between our reads and writes.
        logger.warning("Import of %s %s collided with another write", kind.name, filename)
        message = _("The records changed while importing; nothing was imported. Try again.")
        raise ImportFailed([RowError(None, "", message)]) from None
    return ImportResult(kind, filename, counts, plan.rows(), dry_run)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(kind: Kind, table: list[list]) -> dict[int, str]:
    """{cell index: column name}; raises on unknown, repeated or missing columns."""
    if not table or all(_blank(v) for v in table[0]):
        raise ImportFailed([RowError(1, "", _("The first row must name the columns."))])
    known = {c.name for c in kind.columns}
    errors, columns = [], {}
    for index, cell in enumerate(table[0]):
        name = "" if cell is None else str(cell).strip().lower()
        if not name:
            if any(len(r) > index and not _blank(r[index]) for r in table[1:]):
                label = _("column %(n)s") % {"n": index + 1}
                errors.append(RowError(1, label, _("This column has values but no name.")))
        elif name not in known:
            message = _("Unknown column; the columns are: %(names)s.") % {
                "names": ", ".join(c.name for c in kind.columns)
            }
            errors.append(RowError(1, name, message))
        elif name in columns.values():
            errors.append(RowError(1, name, _("This column appears twice.")))
        else:
            columns[index] = name
    for column in kind.columns:
        if column.required and column.name not in columns.values():
            errors.append(RowError(1, column.name, _("This required column is missing.")))
    if errors:
        raise ImportFailed(errors)
    return columns


def _parse_cell(column, raw):
    if _blank(raw):
        if column.required:
            raise ValueError(_("A value is required."))
        return column.empty
    value = column.parser.parse(raw)
    if column.field is not None:
        try:
            value = column.field.clean(value, None)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None
    return value


def import_rows(*, kind: Kind, table: list[list], progress: Progress | None = None) -> list[Row]:
    """The data rows parsed and checked, references resolved; raises ImportFailed."""
    columns = _header(kind, table)
    data = [(n, cells) for n, cells in enumerate(table[1:], start=2) if any(map(_nonblank, cells))]
    if len(data) > settings.RESOC_IMPORT_MAX_ROWS:
        message = _("The file has %(count)s rows; at most %(max)s can be imported at once.")
        count = {"count": len(data), "max": settings.RESOC_IMPORT_MAX_ROWS}
        raise ImportFailed([RowError(None, "", message % count)])
    errors, rows = [], []
    width = max(columns) + 1
    by_index = {index: kind.column(name) for index, name in columns.items()}
    for checked, (number, cells) in enumerate(data):
        if progress and checked % PROGRESS_EVERY == 0:
            progress(CHECKING, checked, len(data))
        row = Row(number, {})
        if any(not _blank(v) for v in cells[width:]):
            errors.append(RowError(number, "", _("A value lies beyond the named columns.")))
        for index, column in by_index.items():
            raw = cells[index] if index < len(cells) else None
            try:
                row.values[column.name] = _parse_cell(column, raw)
            except ValueError as exc:
                errors.append(RowError(number, column.name, str(exc)))
        rows.append(row)
    errors += _resolve_references(kind, rows, columns.values())
    failed = {e.row for e in errors}
    if kind.check_row:
        for row in rows:
            if row.number not in failed:
                errors += [RowError(row.number, c, str(m)) for c, m in kind.check_row(row)]
    errors += _duplicates(kind, [r for r in rows if r.number not in failed])
    if errors:
        raise ImportFailed(errors)
    return rows


def _nonblank(value) -> bool:
    return not _blank(value)


def _resolve_references(kind: Kind, rows: list[Row], present) -> list[RowError]:
    """Replace codes by records: one query per referenced model (in chunks for huge files)."""
    by_target = {}
    for name in present:
        parser = kind.column(name).parser
        if isinstance(parser, parsers.Ref):
            by_target.setdefault((parser.model, parser.field), []).append(name)
    errors = []
    for (model, field), names in by_target.items():
        codes = sorted({r.values[n] for r in rows for n in names if _is_code(r.values.get(n))})
        found = {}
        for start in range(0, len(codes), REF_CHUNK):
            chunk = codes[start : start + REF_CHUNK]
            for obj in model._default_manager.filter(**{f"{field}__in": chunk}).order_by():
                found[getattr(obj, field)] = obj
        for row in rows:
            for name in names:
                code = row.values.get(name)
                if not _is_code(code):
                    continue
                if code in found:
                    row.values[name] = found[code]
                else:
                    errors.append(
                        RowError(row.number, name, kind.column(name).parser.missing(code))
                    )
    return errors


def _is_code(value) -> bool:
    return isinstance(value, str) and value != ""


def _duplicates(kind: Kind, rows: list[Row]) -> list[RowError]:
    seen, errors = {}, []
    for row in rows:
        key = tuple(
            v.pk if isinstance(v, models.Model) else v for v in (row.get(n) for n in kind.key)
        )
        if key in seen:
            message = _("The same %(key)s as row %(row)s.") % {
                "key": " + ".join(kind.key),
                "row": seen[key],
            }
            errors.append(RowError(row.number, "+".join(kind.key), message))
        else:
            seen[key] = row.number
    return errors


def import_template(*, kind: Kind) -> Workbook:
    """A blank workbook for the kind: the header row, and a sheet documenting the columns."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.name[:31]
    sheet.append([c.name for c in kind.columns])
    for cell, column in zip(sheet[1], kind.columns, strict=True):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.name) + 4)
    docs = workbook.create_sheet("Columns")
    docs.append([_("Column"), _("Required"), _("Format / allowed values"), _("Description")])
    for cell in docs[1]:
        cell.font = Font(bold=True)
    for column in kind.columns:
        required = _("yes") if column.required else _("no")
        docs.append([column.name, required, column.format, str(column.help)])
    for letter, width in zip("ABCD", (22, 10, 50, 70), strict=True):
        docs.column_dimensions[letter].width = width
    return workbook
