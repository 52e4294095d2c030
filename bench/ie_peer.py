"""The import peer: django-import-export's ModelResource with default settings, dry run, row by row.

    python -m bench.ie_peer catalog.xlsx [ROWS]

Reads the procedure sheet of the project's template (headers mapped to field names) and imports
it keyed by national code, as a site that adopted django-import-export as is would. With ROWS, only
the first ROWS rows are read and imported: the peer costs one round of queries per row, so its time
grows linearly with the rows and the benchmark scales a sample instead of spending minutes on it.
"""

import os
import sys
import time


def main(path: str, limit: int | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    import tablib
    from import_export import resources
    from openpyxl import load_workbook

    from catalog.importing.template import PROCEDURES
    from catalog.models import ProcedurePage

    columns = [
        "national_code",
        "local_code",
        "title",
        "summary",
        "decision_number",
        "implementing_agencies",
        "competent_authority",
        "receiving_address",
        "keywords",
    ]

    class ProcedureResource(resources.ModelResource):
        class Meta:
            model = ProcedurePage
            import_id_fields = ("national_code",)
            fields = tuple(columns)

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True)
    sheet = workbook[PROCEDURES.title]
    labels = {column.label: column.key for column in PROCEDURES.columns}
    rows = sheet.iter_rows(values_only=True)
    header = [labels.get(str(cell), str(cell)) for cell in next(rows)]
    positions = [header.index(name) for name in columns]
    dataset = tablib.Dataset(headers=columns)
    for number, row in enumerate(rows):
        if limit is not None and number >= limit:
            break
        dataset.append(["" if row[i] is None else row[i] for i in positions])
    read = time.perf_counter() - started
    started = time.perf_counter()
    result = ProcedureResource().import_data(dataset, dry_run=True, raise_errors=False)
    seconds = time.perf_counter() - started
    totals = dict(result.totals)
    print(
        f"rows={len(dataset)} read={read:.1f}s seconds={seconds:.1f} totals={totals} errors={len(result.row_errors())}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None))
