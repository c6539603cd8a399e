"""Writing rows to an Excel download."""

from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, title: str, header: list, rows: Iterable[list]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    sheet.append([str(h) for h in header])
    for row in rows:
        sheet.append(row)
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response
