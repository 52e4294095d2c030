"""Format detection: which reader a file or folder needs, decided by content after the safety checks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    XmlError,
    ZipError,
)

from catalog.importing import national, template
from catalog.importing.records import FileRejected, ReadResult
from catalog.importing.safety import (
    CSV,
    JSON,
    JSONL,
    XLSX,
    check_file,
    max_rows,
    max_upload_bytes,
    too_many_rows,
)
from catalog.importing.text import key, one_line


def read_path(path: Path, *, display_name: str | None = None) -> list[ReadResult]:
    """Read a file, or every importable file in a folder (a folder of *.json is a details folder)."""
    path = Path(path)
    if path.is_dir():
        results: list[ReadResult] = []
        details = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".json"
        )
        for child in sorted(
            p
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in (".jsonl", ".xlsx", ".csv")
        ):
            results.extend(read_path(child))
        if details:
            for detail in details:
                check_file(detail)
            results.append(
                national.read_detail_files(
                    details, label=f"{path.name}/ ({len(details)} tệp)"
                )
            )
        for child in sorted(p for p in path.iterdir() if p.is_dir()):
            results.extend(read_path(child))
        return results
    if not path.exists():
        raise FileRejected(f"Không tìm thấy “{path}”.", file=str(path))
    file_format = check_file(path)
    name = display_name or path.name
    if file_format == XLSX:
        return [read_xlsx(path, name=name)]
    if file_format == CSV:
        return [read_csv(path.read_bytes(), name=name)]
    if file_format == JSONL:
        return [national.read_catalog_jsonl(path)]
    if file_format == JSON:
        document = _load_json(path, name)
        if template.is_export_json(document):
            return [template.read_export_json(document, file=name)]
        if isinstance(document, dict) and (
            "data" in document or "executionMethods" in document
        ):
            return [national.read_detail_files([path], label=name)]
        raise FileRejected(
            f"Tệp JSON “{name}” không phải tệp JSON xuất từ Cổng, cũng không phải bản ghi "
            "chi tiết TTHC của Cổng DVC quốc gia.",
            file=name,
        )
    raise FileRejected(f"Không nhận dạng được định dạng của “{name}”.", file=name)


def _load_json(path: Path, name: str):
    try:
        return orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as error:
        raise FileRejected(
            f"Tệp “{name}” không phải JSON hợp lệ: {error}", file=name
        ) from error


# Excel's own limit for one cell; a longer value is not a procedure's text but a broken or hostile file.
MAX_CELL_CHARS = 32_767


def column_letter(position: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names the column."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_cells(row, *, number: int, name: str, where: str, header=()) -> None:
    """Refuse a cell longer than Excel allows, naming its row and column."""
    for position, cell in enumerate(row):
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            label = (
                header[position] if position < len(header) and header[position] else ""
            )
            column = f"{column_letter(position)}" + (f" ({label})" if label else "")
            raise FileRejected(
                f"Tệp “{name}”, {where}, dòng {number}, cột {column}: ô dài {len(cell):,} ký tự, "
                f"vượt giới hạn {MAX_CELL_CHARS:,} ký tự của một ô. Hãy rút gọn nội dung ô này.".replace(
                    ",", "."
                ),
                file=name,
                row=number,
                column=column,
            )


def _xlsx_rows(sheet, *, name: str = "", title: str = "") -> Iterator[list[Any]]:
    """A sheet's rows as openpyxl's read-only reader gives them: None for empty cells, whole numbers as int."""
    header: list = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        check_cells(
            row,
            number=number,
            name=name,
            where=f"trang tính “{title}”",
            header=header,
        )
        values = [
            None
            if cell == ""
            else int(cell)
            if isinstance(cell, float) and cell.is_integer()
            else cell
            for cell in row
        ]
        if not header:
            header = [str(cell) if cell is not None else "" for cell in values]
        yield values


def read_xlsx(path: Path, *, name: str) -> ReadResult:
    """Cell values through calamine (Rust), ~20x faster than openpyxl's read-only mode.

    Like openpyxl with data_only, a formula cell gives its cached value, never the formula.
    """
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        titles = list(workbook.sheet_names)
    except Exception as error:  # calamine raises several kinds for a broken workbook
        raise FileRejected(
            f"Không mở được bảng tính “{name}”: tệp bị hỏng hoặc không đúng định dạng.",
            file=name,
        ) from error
    try:
        limit = max_rows() + 50
        if any(template.sheet_by_title(title) for title in titles):
            tables: dict[str, list[tuple[int, list]]] = {}
            where: dict[str, str] = {}
            for title in titles:
                rows = []
                for number, row in enumerate(
                    _xlsx_rows(_sheet(workbook, title, name), name=name, title=title),
                    start=1,
                ):
                    if number > limit:
                        raise too_many_rows(name=name, count=number)
                    rows.append((number, row))
                tables[title] = rows
                where[title] = f"trang tính “{title}”"
            return template.read_template_tables(tables, file=name, where=where)
        rows_iter = _xlsx_rows(
            _sheet(workbook, titles[0], name), name=name, title=titles[0]
        )
        first_rows = []
        for row in rows_iter:
            first_rows.append(row)
            if len(first_rows) >= 10:
                break
        header_index = national.is_national_list(first_rows)
        if header_index is None:
            raise FileRejected(
                f"Bảng tính “{name}” không theo mẫu của Cổng (thiếu trang “{template.PROCEDURES.title}”) "
                "và không phải danh sách TTHC xuất từ Cổng DVC quốc gia.",
                file=name,
            )

        def all_rows():
            yield from first_rows
            yield from rows_iter

        return national.read_national_list(
            all_rows(), file=name, header_index=header_index, first_rows=first_rows
        )
    except (CalamineError, PasswordError, XmlError, ZipError) as error:
        raise FileRejected(
            f"Không đọc được bảng tính “{name}”: tệp bị hỏng hoặc có mật khẩu.",
            file=name,
        ) from error
    finally:
        workbook.close()


def _sheet(workbook: CalamineWorkbook, title: str, name: str):
    try:
        return workbook.get_sheet_by_name(title)
    except Exception as error:  # a sheet part calamine cannot parse
        raise FileRejected(
            f"Không đọc được trang tính “{title}” của “{name}”: tệp bị hỏng.",
            file=name,
        ) from error


def read_csv(content: bytes, *, name: str) -> ReadResult:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRejected(
            f"Tệp “{name}” không được mã hóa UTF-8. Hãy lưu lại dưới dạng “CSV UTF-8”.",
            file=name,
        ) from error
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # The csv module's own cap (128 KiB) raises a bare csv.Error; raise it to the upload limit
    # and refuse long cells below with their row and column.
    csv.field_size_limit(max(csv.field_size_limit(), max_upload_bytes() + 1))
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    limit = max_rows() + 1
    rows: list[tuple[int, list]] = []
    header: list[str] = []
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if number > limit:
                raise too_many_rows(name=name, count=number)
            check_cells(row, number=number, name=name, where="tệp CSV", header=header)
            if not header:
                header = [one_line(cell) for cell in row]
            rows.append((number, row))
    except csv.Error as error:
        raise FileRejected(
            f"Tệp “{name}”, dòng {number + 1}: không đọc được như CSV ({error}). "
            "Hãy mở tệp bằng Excel hoặc LibreOffice rồi lưu lại dưới dạng “CSV UTF-8”.",
            file=name,
            row=number + 1,
        ) from error
    if not rows:
        raise FileRejected(f"Tệp “{name}” trống.", file=name)
    header = [one_line(cell) for cell in rows[0][1]]
    folded = [key(cell) for cell in header]
    if key(template.SHEET_COLUMN) in folded:
        sheet_at = folded.index(key(template.SHEET_COLUMN))
        tables: dict[str, list[tuple[int, list]]] = {}
        for number, row in rows[1:]:
            if not any(cell.strip() for cell in row):
                continue
            title = one_line(row[sheet_at]) if sheet_at < len(row) else ""
            sheet = template.sheet_by_title(title)
            if sheet is None:
                raise FileRejected(
                    f"Tệp “{name}”, dòng {number}: cột “{template.SHEET_COLUMN}” ghi “{title}”, "
                    f"không phải một bảng của mẫu ({', '.join(s.title for s in template.SHEETS)}).",
                    file=name,
                    row=number,
                )
            labels = {key(label) for label in sheet.readable_labels}
            table = tables.setdefault(sheet.title, [])
            if not table:
                # The stacked CSV shares one header; keep only this sheet's columns (others must be empty).
                table.append(
                    (1, [cell if key(cell) in labels else "" for cell in header])
                )
            for position, cell in enumerate(row):
                if (
                    position != sheet_at
                    and cell.strip()
                    and position < len(header)
                    and key(header[position]) not in labels
                ):
                    raise FileRejected(
                        f"Tệp “{name}”, dòng {number}: cột “{header[position]}” không dùng cho bảng “{sheet.title}”.",
                        file=name,
                        row=number,
                        column=header[position],
                    )
            table.append(
                (number, [cell if i != sheet_at else "" for i, cell in enumerate(row)])
            )
        known = {key(label) for label in template.csv_labels(readable=True)}
        unknown = [cell for cell in header if cell and key(cell) not in known]
        if unknown:
            raise FileRejected(
                f"Tệp “{name}”: cột “{unknown[0]}” không có trong mẫu. Hãy tải mẫu trống từ trang quản trị "
                "và giữ nguyên tên cột.",
                file=name,
                column=unknown[0],
            )
        if template.PROCEDURES.title not in tables:
            tables[template.PROCEDURES.title] = [(1, header)]
        return template.read_template_tables(
            tables, file=name, where={t: "tệp CSV" for t in tables}
        )
    header_index = national.is_national_list([tuple(row) for _, row in rows[:10]])
    if header_index is not None and not any(
        key(c) == key(template.PROCEDURES.columns[0].label) for c in header
    ):
        return national.read_national_list(
            (tuple(row) for _, row in rows),
            file=name,
            header_index=header_index,
            first_rows=[tuple(r) for _, r in rows[:10]],
        )
    return template.read_template_tables(
        {template.PROCEDURES.title: rows},
        file=name,
        where={template.PROCEDURES.title: "tệp CSV"},
    )
