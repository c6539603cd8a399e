import csv

import pytest
from openpyxl import Workbook


@pytest.fixture
def make_csv(tmp_path):
    """make_csv([header, *rows], delimiter=",", bom=False) -> path of a UTF-8 CSV file."""

    def make(rows, *, delimiter=",", bom=False, name="data.csv"):
        path = tmp_path / name
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
            csv.writer(out, delimiter=delimiter).writerows(rows)
        return path

    return make


@pytest.fixture
def make_xlsx(tmp_path):
    def make(rows, *, name="data.xlsx"):
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        path = tmp_path / name
        workbook.save(path)
        return path

    return make
