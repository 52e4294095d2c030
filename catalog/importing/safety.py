"""Checks every file passes before any parser sees it: size, real type, zip bombs, XML entities."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from catalog.importing.records import FileRejected

# A real xlsx compresses text 5-20x; a zip bomb compresses 1,000x and more.
DEFAULT_MAX_COMPRESSION_RATIO = 100
DEFAULT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_PROLOG_BYTES = 4096

XLSX, CSV, JSON, JSONL = "xlsx", "csv", "json", "jsonl"


def max_upload_bytes() -> int:
    return int(settings.IMPORT_MAX_UPLOAD_BYTES)


def max_rows() -> int:
    return int(settings.IMPORT_MAX_ROWS)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def check_size(*, name: str, size: int) -> None:
    limit = max_upload_bytes()
    if size > limit:
        raise FileRejected(
            f"Tệp “{name}” quá lớn ({_megabytes(size)}); giới hạn là {_megabytes(limit)}. "
            "Hãy chia nhỏ tệp rồi nhập lần lượt.",
            file=name,
        )


def sniff(*, name: str, head: bytes) -> str:
    """The format the bytes really are; the name's extension must agree with it."""
    extension = Path(name).suffix.lower().lstrip(".")
    is_zip = head.startswith(b"PK\x03\x04")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if extension in ("xlsx", "xlsm"):
        if not is_zip:
            raise FileRejected(
                f"Tệp “{name}” có đuôi .xlsx nhưng nội dung không phải bảng tính Excel "
                "(có thể là tệp CSV hoặc tệp khác đã đổi tên). Hãy lưu lại đúng định dạng .xlsx hoặc .csv.",
                file=name,
            )
        return XLSX
    if is_zip:
        raise FileRejected(
            f"Tệp “{name}” là tệp nén/Excel nhưng có đuôi .{extension or '?'}; hãy đặt đúng đuôi .xlsx.",
            file=name,
        )
    if b"\x00" in head:
        raise FileRejected(
            f"Tệp “{name}” không phải tệp văn bản (CSV/JSON) cũng không phải bảng tính .xlsx.",
            file=name,
        )
    if extension == "csv":
        return CSV
    if extension in ("json", "jsonl", "ndjson"):
        if stripped[:1] not in (b"{", b"["):
            raise FileRejected(
                f"Tệp “{name}” có đuôi .{extension} nhưng không phải JSON.", file=name
            )
        return JSONL if extension != "json" else JSON
    raise FileRejected(
        f"Không nhận dạng được định dạng của tệp “{name}”. Chỉ nhận .xlsx, .csv, .json, .jsonl.",
        file=name,
    )


def check_xlsx(*, name: str, handle: BinaryIO) -> None:
    """Refuse zip bombs and XML with a DTD (entity expansion) before openpyxl opens the file."""
    max_ratio = getattr(
        settings, "IMPORT_MAX_COMPRESSION_RATIO", DEFAULT_MAX_COMPRESSION_RATIO
    )
    max_total = getattr(
        settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES
    )
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile as error:
        raise FileRejected(
            f"Tệp “{name}” bị hỏng, không mở được như bảng tính .xlsx.", file=name
        ) from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise FileRejected(
                f"Tệp “{name}” chứa quá nhiều thành phần ({len(members)}).", file=name
            )
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise FileRejected(
                f"Tệp “{name}” là tệp nén nhưng không phải bảng tính Excel (.xlsx).",
                file=name,
            )
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > 1024 * 1024 and ratio > max_ratio:
                raise FileRejected(
                    f"Tệp “{name}” bị từ chối: phần “{member.filename}” giải nén ra gấp {ratio:.0f} lần "
                    f"(giới hạn {max_ratio} lần), dấu hiệu của tệp “bom nén”.",
                    file=name,
                )
        if total > max_total:
            raise FileRejected(
                f"Tệp “{name}” bị từ chối: khi giải nén sẽ chiếm {_megabytes(total)}, "
                f"vượt giới hạn {_megabytes(max_total)}.",
                file=name,
            )
        for member in members:
            if not member.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(member) as part:
                prolog = part.read(_PROLOG_BYTES)
            if _DTD.search(prolog):
                raise FileRejected(
                    f"Tệp “{name}” bị từ chối: phần “{member.filename}” khai báo DTD/thực thể XML "
                    "(có thể gây tấn công mở rộng thực thể). Hãy lưu lại tệp bằng Excel hoặc LibreOffice.",
                    file=name,
                )


def check_file(path: Path) -> str:
    """All checks for a file on disk; returns its real format."""
    name = path.name
    check_size(name=name, size=path.stat().st_size)
    with path.open("rb") as handle:
        head = handle.read(8192)
        file_format = sniff(name=name, head=head)
        if file_format == XLSX:
            handle.seek(0)
            check_xlsx(name=name, handle=handle)
    return file_format


def check_upload(upload) -> str:
    """All checks for an uploaded file (Django UploadedFile); returns its real format."""
    name = Path(upload.name or "tep").name
    check_size(name=name, size=upload.size)
    upload.seek(0)
    head = upload.read(8192)
    file_format = sniff(name=name, head=head)
    if file_format == XLSX:
        upload.seek(0)
        check_xlsx(name=name, handle=upload)
    upload.seek(0)
    return file_format


def too_many_rows(*, name: str, count: int) -> FileRejected:
    return FileRejected(
        f"Tệp “{name}” có hơn {max_rows():,} dòng, vượt giới hạn một lần nhập. Hãy chia nhỏ tệp.".replace(
            ",", "."
        ),
        file=name,
    )
