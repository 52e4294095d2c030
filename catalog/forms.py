"""Admin forms with the checks an editor needs to hear about in their own words."""

import re

from django import forms
from django.db import models
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.widgets import AdminAutoHeightTextInput
from wagtail.models import Page

from catalog.request_values import whole_number
from catalog.text import NAME_MAX, split_name, vietnamese_slug, visible_name
from catalog.widgets import TypedDateInput

# Blanks a Vietnamese amount may be grouped with: space, no-break space, narrow no-break space.
AMOUNT_BLANKS = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
# The đồng words an editor may type beside an amount.
DONG_SUFFIX = r"đồng|đ|vnđ|vnd"
# 3500000, 3.500.000 or 3 500 000 (one separator throughout).
AMOUNT_PATTERN = re.compile(
    r"(?P<sign>-?)\s*(?P<number>\d+|\d{1,3}(?P<sep>[. ])\d{3}(?:(?P=sep)\d{3})*)"
)
# The figure and the words before and after it ("$50", "50 USD", "3.500.000 đồng").
_FIGURE_WITH_WORDS = re.compile(
    r"(?P<before>[^\d-]*?)\s*(?P<figure>-?\s*\d(?:[\d. ]*\d)?)\s*(?P<after>\D*)"
)
# The currency an amount names beside its figure ("50 USD", "$50", "50 đồng"), figure and
# blanks taken out: ISO code -> the words, the unit the message names it by, the choice's label.
TYPED_CURRENCIES = {
    "VND": (
        re.compile(rf"(?:{DONG_SUFFIX})", re.IGNORECASE),
        "đồng",
        _("Đồng Việt Nam"),
    ),
    "USD": (
        re.compile(r"usd|us\$|\$|đô(?:la(?:mỹ)?)?|dola|dollars?", re.IGNORECASE),
        "USD",
        _("Đô la Mỹ (USD)"),
    ),
    "EUR": (re.compile(r"eur|euros?|€", re.IGNORECASE), "EUR", _("Euro (EUR)")),
}
# No fee comes near a thousand billion; a larger figure is a typing slip.
AMOUNT_MAX = 1_000_000_000_000
_FIGURE_AND_BLANKS = re.compile(r"[\d.,\s\u00a0\u202f\u2009-]")


def typed_currency(text: str) -> str | None:
    """The ISO code of the currency written beside a figure, None when none or unknown."""
    if not re.search(r"\d", text):
        return None
    return _currency_named(_FIGURE_AND_BLANKS.sub("", text))


def _currency_named(words: str) -> str | None:
    """The ISO code of currency words with their blanks taken out ("đôlamỹ", "$")."""
    for code, (pattern, _unit, _label) in TYPED_CURRENCIES.items():
        if words and pattern.fullmatch(words):
            return code
    return None


def group_amount(value: int) -> str:
    """3500000 -> "3.500.000", the way amounts are written in Vietnam."""
    return f"{value:,}".replace(",", ".")


def name_too_long_message(length: int) -> str:
    return _("Tên thủ tục dài %(length)s ký tự, tối đa %(limit)s ký tự.") % {
        "length": group_amount(length),
        "limit": group_amount(NAME_MAX),
    }


def whole_name(typed: str) -> str:
    """An official name as typed in a box: one line, no outer spaces, at most NAME_MAX."""
    name = " ".join(visible_name(typed).split())
    if len(name) > NAME_MAX:
        raise forms.ValidationError(name_too_long_message(len(name)))
    return name


def grows_with_its_text(attrs: dict, *, rows: int) -> dict:
    """Attributes for Wagtail's auto-growing textarea (its w-autosize controller), keeping
    the controllers the box has already (the title's w-sync fills the slug): a name of 1,000
    characters is then read whole, without scrolling inside the box."""
    controllers = " ".join(filter(None, [attrs.get("data-controller"), "w-autosize"]))
    return {**attrs, "rows": rows, "data-controller": controllers}


def procedure_copy_form():
    """Wagtail's copy form for a procedure: the copy's whole official name and its own codes.

    Wagtail's own box holds the 255-character title: a copy given a longer name was a 500, and
    one whose clipped title was edited lost the rest of the name. The box now starts from the
    whole name; the copy's title and full_name are set from it (catalog.wagtail_hooks).

    A copy is another procedure, so it needs a code of its own: one code names one procedure
    in the API and in the export that is imported back. The form asks for the copy's codes
    and checks them as the edit form does, and more: no other procedure, draft or published,
    may have the copy's code. A copy starts as a draft (no "publish the copy", no alias, which
    would publish the original's content and code a second time); it is published through
    the edit form, with its change note and review.
    """
    from wagtail.admin.forms.pages import CopyForm

    from catalog.models import ProcedurePage
    from catalog.models.procedures import procedure_code_validator

    class ProcedureCopyForm(CopyForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            original = self.page.specific_deferred
            field = self.fields["new_title"]
            field.initial = original.official_name
            field.label = _("Tên thủ tục của bản sao")
            field.widget = AdminAutoHeightTextInput(
                attrs=grows_with_its_text({}, rows=2)
            )
            self.fields.pop("publish_copies", None)
            self.fields.pop("alias", None)
            # Wagtail offers the original's slug, taken beside it: the first «Sao chép» failed
            taken = set(
                self.page.get_parent().get_children().values_list("slug", flat=True)
            )
            slug, n = f"{self.page.slug}-ban-sao", 2
            while slug in taken:
                slug, n = f"{self.page.slug}-ban-sao-{n}", n + 1
            self.fields["new_slug"].initial = slug
            self.fields["new_national_code"] = forms.CharField(
                label=_("Mã thủ tục quốc gia của bản sao"),
                max_length=40,
                validators=[procedure_code_validator],
                help_text=_(
                    "Bản sao là một thủ tục khác nên cần mã riêng, khác mã của bản gốc "
                    "(%(code)s): mỗi mã chỉ thuộc một thủ tục."
                )
                % {"code": original.code},
            )
            self.fields["new_local_code"] = forms.CharField(
                label=_("Mã thủ tục của thành phố của bản sao"),
                max_length=40,
                required=False,
                validators=[procedure_code_validator],
                help_text=_("Để trống nếu thành phố dùng đúng mã quốc gia."),
            )

        def clean_new_title(self) -> str:
            return split_name(whole_name(self.cleaned_data.get("new_title", "")))[0]

        def clean(self):
            cleaned_data = super().clean()
            national = (cleaned_data.get("new_national_code") or "").strip()
            local = (cleaned_data.get("new_local_code") or "").strip()
            if not national or self.has_error("new_local_code"):
                return cleaned_data
            code, field = (
                (local, "new_local_code") if local else (national, "new_national_code")
            )
            # the code a client and the export know the copy by: nobody else's, drafts too
            holder = (
                ProcedurePage.objects.filter(
                    models.Q(local_code=code)
                    | models.Q(local_code="", national_code=code)
                )
                .order_by("pk")
                .first()
            )
            if holder is not None:
                self.add_error(
                    field,
                    _(
                        "Mã %(code)s đã là mã của thủ tục “%(title)s”: bản sao cần mã "
                        "riêng. Hãy nhập mã quốc gia khác, hoặc thêm mã thủ tục của "
                        "thành phố."
                    )
                    % {"code": code, "title": holder.title},
                )
                return cleaned_data
            errors = ProcedurePage.code_errors(national_code=national, local_code=local)
            for name, message in errors.items():
                self.add_error(f"new_{name}", message)
            return cleaned_data

    return ProcedureCopyForm


def parse_amount(text: str) -> int | None:
    """A whole amount typed the Vietnamese way, with or without a currency's sign or words
    on one side ("$50", "50 USD", "3.500.000 đồng"); None when it is not one.

    Which currency that is, against the one chosen beside the box, is the page form's check
    (ProcedurePageForm._refuse_a_currency_not_chosen)."""
    parts = _FIGURE_WITH_WORDS.fullmatch(text.translate(AMOUNT_BLANKS).strip())
    if parts is None:
        return None
    before, after = parts["before"].strip(), parts["after"].strip()
    if before and after:  # "$50 USD", "US 50 đồng": not one currency beside one figure
        return None
    words = before or after
    if words and _currency_named(re.sub(r"\s", "", words)) is None:
        return None
    match = AMOUNT_PATTERN.fullmatch(parts["figure"])
    if match is None:
        return None
    number = int(re.sub(r"\D", "", match["number"]))
    return -number if match["sign"] else number


def _amount_too_large_message() -> str:
    return gettext(
        "Mức thu tối đa %(limit)s (một nghìn tỷ) theo đơn vị tiền tệ đã chọn; "
        "hãy kiểm tra lại số đã nhập."
    ) % {"limit": group_amount(AMOUNT_MAX)}


# In the language of the request that shows it, not of the one that built the form class.
amount_too_large_message = lazy(_amount_too_large_message, str)


class AmountInput(forms.TextInput):
    """A text box (a number box refuses "3.500.000") that shows the stored amount grouped."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "numeric", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return group_amount(value)
        if isinstance(value, str) and whole_number(value.strip()) is not None:
            return group_amount(int(value))
        return super().format_value(value)


class AmountField(forms.IntegerField):
    """Whole amounts in the fee's currency: reads 3.500.000, 3500000 and 3 500 000 alike."""

    widget = AmountInput
    default_error_messages = {
        "invalid": _(
            "Mức thu phải là số tiền nguyên theo đơn vị tiền tệ đã chọn, ví dụ 3.500.000 "
            "hoặc 3500000 (nhập 0 nếu miễn phí)."
        ),
    }

    def __init__(self, *, max_value=None, **kwargs):
        # The column holds up to ~9,2 × 10^18, which Django's message spells in full digits.
        super().__init__(max_value=min(max_value or AMOUNT_MAX, AMOUNT_MAX), **kwargs)
        self.error_messages["max_value"] = amount_too_large_message()

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        amount = parse_amount(str(value))
        if amount is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


class DayMonthYearField(forms.DateField):
    """A date typed day first (03/04/2026, 3/4/2026, 03.04.2026) or ISO (2026-04-03).

    Anything else, 31/02/2026 or 04/13/2026 included, is refused with the field's name and what
    was typed, so that no date the editor did not mean is stored.
    """

    widget = TypedDateInput

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                _(
                    "%(field)s: “%(typed)s” không phải là một ngày có thật. Hãy nhập "
                    "ngày/tháng/năm, ví dụ 03/04/2026."
                ),
                code="invalid",
                params={
                    "field": capfirst(self.label or ""),
                    "typed": str(value).strip(),
                },
            ) from None


def unix_newlines(data):
    """The posted data with each line break as "\n".

    Browsers send a textarea's line breaks as "\r\n" (HTML's form encoding), while imports and
    the API store "\n": without this, saving an imported procedure unchanged rewrote every
    multi-line text (the compare view hides the difference; API clients and the change feed see
    it).
    """
    if data is None or not hasattr(data, "lists"):
        return data
    data = data.copy()
    for key, values in list(data.lists()):
        if any(isinstance(v, str) and "\r" in v for v in values):
            data.setlist(
                key,
                [
                    v.replace("\r\n", "\n").replace("\r", "\n")
                    if isinstance(v, str)
                    else v
                    for v in values
                ],
            )
    return data


class CatalogPageForm(WagtailAdminPageForm):
    """The slug may be left empty: it is made from the Vietnamese title, without tone marks."""

    def __init__(self, data=None, *args, **kwargs):
        # before the nested formsets (steps, methods, fees, documents) are bound to the data
        super().__init__(unix_newlines(data), *args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean_title(self) -> str:
        return visible_name(self.cleaned_data.get("title"))

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug:
            return slug
        base = vietnamese_slug(self.cleaned_data.get("title") or "")
        candidate, number = base, 1
        while self.parent_page and not Page._slug_is_available(
            candidate, self.parent_page, self.instance
        ):
            number += 1
            candidate = f"{base}-{number}"
        return candidate


class ProcedurePageForm(CatalogPageForm):
    """The procedure's edit form: a fresh change note each time, and completeness before review.

    The public change note belongs to one revision: the form never shows the previous one, so
    "required" cannot pass on stale text and the history never repeats a note. Saving a draft
    is always allowed; submitting, publishing or approving asks for a complete procedure
    (docs/adr/004-completeness-before-submit.md).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "title" in self.fields:
            self._edit_whole_name()
        if "change_note" in self.fields:
            self.initial["change_note"] = ""
            submitted = self.submitted_note()
            if submitted:
                # Plain text: the admin's field template escapes it.
                self.fields["change_note"].help_text = _(
                    "Ghi chú của người gửi: %(note)s. Để trống để giữ ghi chú này khi duyệt."
                ) % {"note": submitted}

    def _edit_whole_name(self) -> None:
        """The title box edits the official name whole (a textarea): the page's 255-character
        title is derived from it in clean_title, its whole text kept in full_name."""
        stock = self.fields["title"]
        attrs = {k: v for k, v in stock.widget.attrs.items() if k != "maxlength"}
        self.fields["title"] = forms.CharField(
            label=stock.label,
            help_text=_(
                "Tên chính thức, đầy đủ. Tên dài hơn 255 ký tự được rút gọn trong danh sách "
                "của trang quản trị; người dân và các hệ thống vẫn thấy tên đầy đủ."
            ),
            widget=AdminAutoHeightTextInput(attrs=grows_with_its_text(attrs, rows=2)),
        )
        if self.instance is not None and self.instance.pk:
            self.initial["title"] = self.instance.official_name

    def clean_title(self) -> str:
        name = whole_name(self.cleaned_data.get("title", ""))
        title, self.instance.full_name = split_name(name)
        return title

    def submitted_note(self) -> str:
        """The note written for the revision now in moderation ("" when none is in moderation).

        Not the previous published note, which is never copied forward.
        """
        page = self.instance
        if page is None or page.pk is None:
            return ""
        state = page.current_workflow_state
        task_state = state.current_task_state if state else None
        revision = task_state.revision if task_state else None
        if revision is None:
            return ""
        return (revision.content.get("change_note") or "").strip()

    def has_changed(self) -> bool:
        """Whether the posted content differs from the revision opened, parts added in a draft included.

        A part added in a draft exists only in the revision, without an id; modelcluster rebuilds
        it from the post as a blank new part, so the stock check always says "changed" and an
        approval from the edit page would save a new revision (and, with re-approval on edit,
        restart the review). Such parts are compared with the revision's part at their place.
        """
        changed = set(self.changed_data)
        if self.publishing_action() == "approve":
            # A moderator's note alone is not a new version: it goes on the one approved (save()).
            changed.discard("change_note")
        if changed:
            return True
        return any(
            _formset_changed(formset)
            for formset in getattr(self, "formsets", {}).values()
        )

    def publishing_action(self) -> str | None:
        """ "publish", "submit" or "approve" when the button pressed makes content public or asks to."""
        data = self.data
        if not self.is_bound:
            return None
        if data.get("action-publish"):
            return "publish"
        if data.get("action-submit") or data.get("action-restart-workflow"):
            return "submit"
        if data.get("action-workflow-action") and (
            data.get("workflow-action-name") != "reject"
        ):
            return "approve"
        return None

    def _refuse_a_currency_not_chosen(self) -> None:
        """ "50 đồng" typed with USD chosen beside it, or "50 USD" with đồng: which one is
        meant? Ask in those words, save nothing."""
        methods = getattr(self, "formsets", {}).get("execution_methods")
        for method_form in methods.forms if methods is not None else []:
            fees = getattr(method_form, "formsets", {}).get("fees")
            for fee_form in fees.forms if fees is not None else []:
                data = fee_form.data
                if data.get(fee_form.add_prefix("DELETE")):
                    continue
                currency = data.get(fee_form.add_prefix("currency")) or "VND"
                typed = (data.get(fee_form.add_prefix("amount")) or "").strip()
                named = typed_currency(typed)
                if named is None or named == currency:
                    continue
                _pattern, unit, label = TYPED_CURRENCIES[named]
                # Replaces the amount's own error: "50 USD" is no figure to the amount field,
                # and "must be a whole amount" would not say what is wrong.
                fee_form.errors.pop("amount", None)
                fee_form.add_error(
                    "amount",
                    _(
                        "Mức thu ghi “%(typed)s” (%(unit)s) nhưng đơn vị tiền tệ bên cạnh "
                        "là %(currency)s: hãy chỉ nhập số, hoặc chọn %(label)s."
                    )
                    % {
                        "typed": typed,
                        "unit": unit,
                        "currency": currency,
                        "label": label,
                    },
                )

    def clean(self):
        cleaned_data = super().clean()
        self._refuse_a_currency_not_chosen()
        action = self.publishing_action()
        note = (cleaned_data.get("change_note") or "").strip()
        if action == "approve" and not note and "change_note" in self.fields:
            # The note belongs to the change under review: a blank field keeps the submitter's.
            note = self.submitted_note()
            cleaned_data["change_note"] = note
        if action in ("publish", "submit", "approve") and not note:
            self.add_error(
                "change_note",
                forms.ValidationError(
                    _(
                        "Hãy ghi chú thay đổi công khai (tab Xuất bản) trước khi gửi duyệt hoặc xuất bản."
                    ),
                    code="change_note_required",
                ),
            )
        return cleaned_data

    def non_field_errors(self):
        """Wagtail's banner lists the form's errors, field ones under their labels, only when
        there is a form-wide one (wagtail.admin.messages.validation_error). A missing change
        note sits on the Publishing tab: counted as form-wide here, so the banner names it
        once; a second, form-wide copy of it was listed beside the field's own."""
        errors = super().non_field_errors()
        if errors or not self.has_error("change_note", code="change_note_required"):
            return errors
        return self.error_class(
            self.errors["change_note"].as_data(), error_class="nonfield"
        )

    def save(self, commit=True):
        page = super().save(commit=commit)
        if self.publishing_action() == "approve" and not self.has_changed():
            # No new revision will be saved: the approved one carries the note to publication.
            note = self.cleaned_data.get("change_note") or ""
            revision = page.get_latest_revision()
            if revision is not None and revision.content.get("change_note") != note:
                revision.content["change_note"] = note
                revision.save(update_fields=["content"])
        return page

    def is_valid(self):
        # Nested document forms are cleaned after clean(); check their templates once they are.
        valid = super().is_valid()
        templates_ok = self._check_form_templates_are_choosable()
        complete = self.publishing_action() is None or self._check_complete()
        return valid and templates_ok and complete

    def _check_complete(self) -> bool:
        """Name, per tab, the parts a procedure must have before review or publication."""
        from catalog.completeness import missing_parts

        formsets = getattr(self, "formsets", {})
        for formset in formsets.values():
            # ClusterForm stops at the first invalid formset: clean them all before reading.
            formset.is_valid()
        gaps = missing_parts(
            steps=_kept_forms(formsets.get("steps")),
            methods=[
                (form.cleaned_data, _kept_forms(form.formsets.get("fees")))
                for form in _in_admin_order(
                    _kept_forms_with_children(formsets.get("execution_methods"))
                )
            ],
            cases=[
                (form.cleaned_data, _kept_forms(form.formsets.get("documents")))
                for form in _kept_forms_with_children(formsets.get("dossier_cases"))
            ],
        )
        if not gaps:
            return True
        tabs = _tab_headings(type(self.instance))
        summary = []
        for relation, messages in gaps.items():
            formset = formsets.get(relation)
            if formset is not None:
                formset.non_form_errors().extend(messages)
            summary.append(
                _("Tab “%(tab)s”: %(missing)s")
                % {"tab": tabs.get(relation, relation), "missing": " ".join(messages)}
            )
        self.add_error(
            None,
            forms.ValidationError(
                _("Chưa thể gửi duyệt hoặc xuất bản, thủ tục còn thiếu: %(parts)s")
                % {"parts": " ".join(str(line) for line in summary)},
                code="incomplete",
            ),
        )
        return False

    def _check_form_templates_are_choosable(self) -> bool:
        """A forged POST must not link a form the user's chooser would not offer."""
        from catalog.permissions import can

        user = getattr(self, "for_user", None)
        cases = (
            self.formsets.get("dossier_cases") if hasattr(self, "formsets") else None
        )
        allowed = True
        if user is None or cases is None:
            return allowed
        for case_form in cases.forms:
            documents = getattr(case_form, "formsets", {}).get("documents")
            for document_form in documents.forms if documents else []:
                template = getattr(document_form, "cleaned_data", {}).get(
                    "form_template"
                )
                if (
                    template is not None
                    and "form_template" in document_form.changed_data
                    and not can(user, "choose", template)
                ):
                    document_form.add_error(
                        "form_template",
                        _(
                            "Bạn không được dùng mẫu đã chọn: hãy chọn một mẫu "
                            "trong danh sách mẫu của bạn."
                        ),
                    )
                    _redraw_with_initial(document_form, "form_template")
                    allowed = False
        return allowed


def _redraw_with_initial(form, name: str) -> None:
    """The refused value is not drawn again: the chooser would show the refused record's
    title (another department's form) to someone who may not see it."""
    data = form.data.copy()
    initial = form[name].initial
    data[form.add_prefix(name)] = getattr(initial, "pk", initial) or ""
    form.data = data


def _formset_changed(formset) -> bool:
    originals = list(formset.get_queryset())
    for index, form in enumerate(formset.forms):
        original = originals[index] if index < len(originals) else None
        if (
            index < formset.initial_form_count()
            and form.instance.pk is None
            and original is not None
            and original.pk is None
        ):
            # modelcluster gave this form a blank instance: compare with the draft's part.
            form = _twin(formset, index, original)
        if form.changed_data or any(
            _formset_changed(child) for child in getattr(form, "formsets", {}).values()
        ):
            return True
    return False


def _twin(formset, index: int, instance) -> forms.Form:
    """The posted form of part `index`, read against `instance` (its initial values)."""
    twin = formset.form(
        formset.data,
        formset.files,
        prefix=formset.add_prefix(index),
        instance=instance,
        use_required_attribute=False,
        renderer=formset.renderer,
        **formset.get_form_kwargs(index),
    )
    formset.add_fields(twin, index)
    return twin


def _kept_forms(formset) -> list[dict]:
    """The cleaned data of the inline forms that will be saved (not deleted, not left empty)."""
    return [form.cleaned_data for form in _kept_forms_with_children(formset)]


def _kept_forms_with_children(formset) -> list[forms.Form]:
    if formset is None:
        return []
    kept = []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        if index >= formset.initial_form_count() and not form.has_changed():
            continue
        kept.append(form)
    return kept


def _in_admin_order(kept: list[forms.Form]) -> list[forms.Form]:
    """Inline forms in the order the admin shows and numbers them (moved ones by ORDER)."""
    return sorted(
        kept,
        key=lambda form: (
            form.cleaned_data.get("ORDER") is None,
            form.cleaned_data.get("ORDER") or 0,
        ),
    )


def _tab_headings(page_class) -> dict[str, str]:
    """Inline relation name -> the heading of the admin tab that holds it."""
    from wagtail.admin.panels import InlinePanel

    headings = {}
    for tab in page_class.get_edit_handler().children:
        stack = list(tab.children)
        while stack:
            panel = stack.pop()
            if isinstance(panel, InlinePanel):
                headings[panel.relation_name] = str(tab.heading)
            stack.extend(getattr(panel, "children", []))
    return headings
