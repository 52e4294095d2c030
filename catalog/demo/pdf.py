"""A one-page PDF written by hand, for the demo form templates (no PDF library needed)."""

from anyascii import anyascii


def _pdf_text(value: str) -> str:
    """ASCII text for a Type1 font content stream, with PDF string escapes."""
    text = anyascii(value)
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf_unicode(value: str) -> str:
    """A UTF-16BE hex string, so the document title keeps its Vietnamese marks."""
    return "<FEFF" + value.encode("utf-16-be").hex().upper() + ">"


def simple_pdf(*, title: str, lines: list[str]) -> bytes:
    """A valid single-page A4 PDF: ``title`` in bold, then ``lines``; Unicode title in its metadata.

    Page text is transliterated to ASCII because the standard 14 fonts cannot draw Vietnamese marks.
    """
    content_lines = [
        "BT",
        "/F2 16 Tf",
        "56 780 Td",
        f"({_pdf_text(title)}) Tj",
        "/F1 11 Tf",
        "0 -28 Td",
    ]
    for line in lines:
        content_lines.append(f"({_pdf_text(line)}) Tj")
        content_lines.append("0 -18 Td")
    content_lines.append("ET")
    stream = "\n".join(content_lines).encode("ascii")

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream",
        (
            "<< /Title "
            + _pdf_unicode(title)
            + " /Producer (HCMC procedure catalog demo) >>"
        ).encode("ascii"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n".encode()
    out += f"startxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)
