"""What a procedure must hold before it is submitted for review or published from the admin.

A step, an execution method with a processing time (a bare figure must say its unit), a fee
statement (an amount, 0 meaning "miễn phí", or the text that sets an amount not fixed) and a
dossier case with at least one document. Drafts may have gaps; programmatic
imports are not held to this (docs/adr/004-completeness-before-submit.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.text import BARE_NUMBER

Part = Mapping[str, Any]


def missing_parts(
    *,
    steps: Iterable[Part],
    methods: Iterable[tuple[Part, Iterable[Part]]],
    cases: Iterable[tuple[Part, Iterable[Part]]],
) -> dict[str, list[str]]:
    """Inline relation name -> what is missing there, in the editor's words; empty when complete.

    ``methods`` pairs each execution method with its fees, in the admin's order, ``cases`` each
    dossier case with its documents; every part is a mapping of field values (a form's cleaned_data or a row's).
    """
    gaps: dict[str, list[str]] = {}
    if not list(steps):
        gaps.setdefault("steps", []).append(str(_("Chưa có bước thực hiện nào.")))
    methods = [(method, list(fees)) for method, fees in methods]
    if not any(_has_processing_time(method) for method, _fees in methods):
        gaps.setdefault("execution_methods", []).append(
            str(_("Chưa có cách thức thực hiện nào ghi thời hạn giải quyết."))
        )
    # one sentence for every method giving a bare figure, not the same sentence per method
    bare: dict[str, list[str]] = {}  # the figure -> the methods that give it
    for number, (method, _fees) in enumerate(methods, start=1):
        text = (method.get("processing_time_text") or "").strip()
        if method.get("processing_time_value") is None and BARE_NUMBER.fullmatch(text):
            bare.setdefault(text, []).append(_method_label(number, method))
    if bare:
        times = "; ".join(
            ngettext(
                "“%(text)s” ở cách thức %(methods)s",
                "“%(text)s” ở cách thức %(methods)s",
                len(labels),
            )
            % {"text": text, "methods": ", ".join(labels)}
            for text, labels in bare.items()
        )
        gaps.setdefault("execution_methods", []).append(
            str(
                _(
                    "Thời hạn giải quyết %(times)s chưa ghi đơn vị: nhập số vào ô "
                    "thời hạn và chọn đơn vị (ngày làm việc, ngày, giờ, tháng)."
                )
                % {"times": times}
            )
        )
    if not any(_states_fee(fee) for _m, fees in methods for fee in fees):
        gaps.setdefault("execution_methods", []).append(
            str(
                _(
                    "Chưa ghi mức phí, lệ phí: nhập số tiền, hoặc 0 nếu miễn phí, "
                    "trong một cách thức thực hiện; nếu mức thu do văn bản khác quy "
                    "định, để trống số tiền và ghi điều đó trong phần điều kiện."
                )
            )
        )
    if not any(list(documents) for _case, documents in cases):
        gaps.setdefault("dossier_cases", []).append(
            str(_("Chưa có trường hợp hồ sơ nào có giấy tờ phải nộp."))
        )
    return gaps


def _method_label(number: int, method: Part) -> str:
    """ "2 (Trực tuyến)": the method's place, as the admin numbers "Cách thức thực hiện 2",
    and its channel."""
    from catalog.models import Channel

    channel = method.get("channel")
    if channel in Channel.values:
        return f"{number} ({Channel(channel).label})"
    return str(number)


def _has_processing_time(method: Part) -> bool:
    """A number with its unit, or words; a bare figure ("7") says no unit and does not count."""
    text = (method.get("processing_time_text") or "").strip()
    return method.get("processing_time_value") is not None or bool(
        text and not BARE_NUMBER.fullmatch(text)
    )


def _states_fee(fee: Part) -> bool:
    """An amount (0: free), or no fixed amount with the text that sets it ("Theo quy định của
    HĐND cấp tỉnh", a schedule of rates)."""
    return fee.get("amount") is not None or bool((fee.get("description") or "").strip())


def missing_parts_of_page(page) -> dict[str, list[str]]:
    """The same check on a procedure as stored (or built in memory)."""
    return missing_parts(
        steps=[vars(step) for step in page.steps.all()],
        methods=[
            (vars(method), [vars(fee) for fee in method.fees.all()])
            for method in page.execution_methods.all()
        ],
        cases=[
            (vars(case), [vars(document) for document in case.documents.all()])
            for case in page.dossier_cases.all()
        ],
    )
