"""Names of uploaded files, made safe to store before any view sees them.

A Linux file name holds 255 bytes: 300 × "đ" is 600. Django keeps names up to 255 characters, so
such an upload failed with "File name too long" wherever it was written (the import's folder,
Wagtail's document and image uploads). The upload handlers below shorten every uploaded file's
name as it is parsed (FILE_UPLOAD_HANDLERS), keeping the extension; `storable_name` is the rule.
"""

import re
import unicodedata

from django.core.files.uploadhandler import (
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)

MAX_STORED_NAME_BYTES = 120
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")


def storable_name(name: str) -> str:
    """No folders or control characters, at most MAX_STORED_NAME_BYTES of UTF-8, extension kept."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/")).rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if not _EXTENSION.fullmatch(extension):
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = MAX_STORED_NAME_BYTES - len(suffix)
    stem = stem.encode()[:budget].decode("utf-8", "ignore").strip(" .")
    return (stem or "tep") + suffix


class _ShortNames:
    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, storable_name(file_name or ""), *args, **kwargs)


class ShortNameMemoryFileUploadHandler(_ShortNames, MemoryFileUploadHandler):
    pass


class ShortNameTemporaryFileUploadHandler(_ShortNames, TemporaryFileUploadHandler):
    pass
