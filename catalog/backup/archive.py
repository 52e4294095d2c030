"""The backup archive: a zip holding manifest.json, JSON Lines tables and the form files.

manifest.json names the format and its version, when and where the archive was made, the count
of each table and, for every other member, its size, line count and sha256. A reader checks all
of that before anything is written (`ArchiveReader.verify`); a member the manifest does not list,
or a listed member that is missing, truncated or altered, refuses the archive with its name.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

FORMAT = "hcmc-procedure-catalog-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
CHUNK = 1 << 16


class ArchiveError(Exception):
    """The archive cannot be restored; the message names the member (and line) at fault."""


class Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


def dumps(record: Any) -> bytes:
    return json.dumps(record, ensure_ascii=False, cls=Encoder).encode("utf-8")


class ArchiveWriter:
    """Writes members one at a time, hashing them as they stream, then the manifest last."""

    def __init__(self, path: Path, *, compresslevel: int | None = None):
        """`compresslevel` 1 (fastest) to 9; None is zlib's default (6)."""
        self.path = Path(path)
        self.compresslevel = compresslevel
        self.zip = zipfile.ZipFile(
            self.path,
            "w",
            compression=zipfile.ZIP_DEFLATED,
            allowZip64=True,
            compresslevel=compresslevel,
        )
        self.members: dict[str, dict[str, Any]] = {}
        self.date_time = datetime.datetime.now().timetuple()[:6]

    def _member(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = (
            self.compresslevel
        )  # what ZipFile.writestr sets (3.11, 3.12)
        return info

    def add_jsonl(self, name: str, records: Iterable[Any]) -> int:
        digest, size, lines = hashlib.sha256(), 0, 0
        with self.zip.open(self._member(name), "w", force_zip64=True) as handle:
            for record in records:
                line = dumps(record) + b"\n"
                handle.write(line)
                digest.update(line)
                size += len(line)
                lines += 1
        self.members[name] = {
            "sha256": digest.hexdigest(),
            "size": size,
            "lines": lines,
        }
        return lines

    def add_file(self, name: str, source) -> str:
        """Copy a binary stream into the archive; returns its sha256."""
        digest, size = hashlib.sha256(), 0
        with self.zip.open(self._member(name), "w", force_zip64=True) as handle:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        self.members[name] = {"sha256": digest.hexdigest(), "size": size}
        return digest.hexdigest()

    def close(self, *, manifest: dict[str, Any]) -> dict[str, Any]:
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            **manifest,
            "members": self.members,
        }
        self.zip.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        self.zip.close()
        return manifest

    def abort(self) -> None:
        self.zip.close()
        self.path.unlink(missing_ok=True)


class ArchiveReader:
    """Opens an archive, checks format, version and every member's checksum, then reads tables."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise ArchiveError(f"{self.path}: no such file") from None
        except (zipfile.BadZipFile, OSError) as error:
            raise ArchiveError(
                f"{self.path}: not a zip archive, or truncated ({error})"
            ) from None
        self.manifest = self._manifest()

    def _manifest(self) -> dict[str, Any]:
        try:
            manifest = json.loads(self.zip.read(MANIFEST))
        except KeyError:
            raise ArchiveError(f"{MANIFEST}: missing; not a catalog backup") from None
        except (ValueError, zipfile.BadZipFile, OSError) as error:
            raise ArchiveError(f"{MANIFEST}: unreadable ({error})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ArchiveError(f"{MANIFEST}: not a catalog backup (format ≠ {FORMAT})")
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            raise ArchiveError(
                f"{MANIFEST}: format version {version!r} is not supported "
                f"(this program reads version {FORMAT_VERSION})"
            )
        if not isinstance(manifest.get("members"), dict):
            raise ArchiveError(f"{MANIFEST}: no member list")
        return manifest

    @property
    def members(self) -> dict[str, dict[str, Any]]:
        return self.manifest["members"]

    def verify(self) -> None:
        """Every listed member present, of the listed size and sha256; nothing unlisted."""
        present = set(self.zip.namelist()) - {MANIFEST}
        unlisted = sorted(present - set(self.members))
        if unlisted:
            raise ArchiveError(f"{unlisted[0]}: not listed in {MANIFEST}")
        for name, expected in self.members.items():
            if name not in present:
                raise ArchiveError(f"{name}: listed in {MANIFEST} but missing")
            digest, size = hashlib.sha256(), 0
            try:
                with self.zip.open(name) as handle:
                    for chunk in iter(lambda h=handle: h.read(CHUNK), b""):
                        digest.update(chunk)
                        size += len(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
                raise ArchiveError(f"{name}: damaged or truncated ({error})") from None
            if size != expected.get("size"):
                raise ArchiveError(
                    f"{name}: {size} bytes, the manifest says {expected.get('size')} (truncated?)"
                )
            if digest.hexdigest() != expected.get("sha256"):
                raise ArchiveError(f"{name}: sha256 differs from {MANIFEST}")

    def records(self, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, record) of a JSON Lines member; a bad line raises naming member and line."""
        if name not in self.members:
            raise ArchiveError(f"{name}: missing from the archive")
        with self.zip.open(name) as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    record = json.loads(line)
                except ValueError as error:
                    raise ArchiveError(f"{name}, line {number}: {error}") from None
                if not isinstance(record, dict):
                    raise ArchiveError(f"{name}, line {number}: not a JSON object")
                yield number, record

    def open(self, name: str):
        if name not in self.members:
            raise ArchiveError(f"{name}: missing from the archive")
        return self.zip.open(name)

    def close(self) -> None:
        self.zip.close()
