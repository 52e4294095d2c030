"""The administrative procedure ("thủ tục hành chính") and its inline parts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from catalog.admin_compare import ComparingTabbedInterface
from catalog.forms import AmountField as AmountFormField
from catalog.forms import ProcedurePageForm, group_amount, name_too_long_message
from catalog.models.mixins import VietnameseSlugMixin
from catalog.text import (
    BARE_NUMBER,
    NAME_MAX,
    another_provinces,
    official_name,
    says_nothing,
    split_name,
)
from catalog.widgets import CheckboxList, SearchableCheckboxList

RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]


def sort_code() -> models.Case:
    """The code a procedure is listed under: its local code, else its national code.

    The API orders lists by it; the index on it lets a page of 100 be read in order instead of
    sorting the whole catalog (the index and the query must use this same expression).
    """
    return models.Case(
        models.When(local_code="", then=models.F("national_code")),
        default=models.F("local_code"),
    )


procedure_code_validator = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,39}$",
    _("Mã thủ tục chỉ gồm số, chữ không dấu, dấu chấm và gạch ngang, ví dụ 1.000080."),
)


class ProcedureType(models.TextChoices):
    STANDARD = "standard", _("Thủ tục hành chính chung")
    SPECIFIC = "specific", _("Thủ tục hành chính đặc thù")
    INTERNAL = "internal", _("Thủ tục hành chính nội bộ")


def announced_elsewhere(procedure_type: str, decision_authority: str) -> bool:
    """A SPECIFIC procedure whose announcing authority names another province than
    settings.CATALOG_PROVINCE: not this city's (catalog.text.another_provinces)."""
    return procedure_type == ProcedureType.SPECIFIC and another_provinces(
        decision_authority or "", settings.CATALOG_PROVINCE
    )


class ProcedureStatus(models.TextChoices):
    ACTIVE = "active", _("Đang áp dụng")
    SUPERSEDED = "superseded", _("Đã được thay thế")
    RESCINDED = "rescinded", _("Đã bãi bỏ")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Dịch vụ công trực tuyến toàn trình")
    PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
    NONE = "none", _("Không có dịch vụ trực tuyến")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Dịch vụ bưu chính")


class TimeUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("ngày làm việc")
    DAY = "day", _("ngày")
    HOUR = "hour", _("giờ")
    MONTH = "month", _("tháng")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Phí")
    CHARGE = "charge", _("Lệ phí")
    SERVICE_FEE = "service_fee", _("Giá dịch vụ")


class Currency(models.TextChoices):
    """ISO 4217 codes; missions abroad charge some fees in dollars on the national portal."""

    VND = "VND", _("Đồng Việt Nam (VND)")
    USD = "USD", _("Đô la Mỹ (USD)")
    EUR = "EUR", _("Euro (EUR)")


def format_amount(amount: int, currency: str) -> str:
    """3500000, VND -> "3.500.000 đồng"; 50, USD -> "50 USD". In English "3,500,000 VND": a
    reader of English takes "3.500.000" for a decimal."""
    if english():
        return f"{amount:,} {currency}"
    unit = "đồng" if currency == Currency.VND else currency
    return f"{group_amount(amount)} {unit}"


def english() -> bool:
    return (translation.get_language() or "").startswith("en")


def fee_range(fees) -> tuple[int | None, int | None]:
    """Lowest and highest amount in đồng, for one-line summaries; (None, None) when unknown.

    Free is free in any currency, but a charge in another currency cannot be put on a đồng
    scale: then there is no summary, and the page lists each fee with its currency. Nor is
    there one beside a fee whose amount is not fixed (set by another text, a rate): a range
    or "free" drawn from the other fees would leave that one out.
    """
    amounts = []
    for fee in fees:
        if fee.amount is None:
            return None, None
        if fee.amount and fee.currency != Currency.VND:
            return None, None
        amounts.append(fee.amount)
    return (min(amounts), max(amounts)) if amounts else (None, None)


class ProcedurePage(VietnameseSlugMixin, Page):
    """One procedure as published by its owning department (the parent page)."""

    # identity
    national_code = models.CharField(
        _("mã thủ tục quốc gia"),
        max_length=40,
        db_index=True,
        validators=[procedure_code_validator],
    )
    local_code = models.CharField(
        _("mã thủ tục của thành phố"),
        max_length=40,
        blank=True,
        db_index=True,
        validators=[procedure_code_validator],
        help_text=_("Để trống nếu thành phố dùng đúng mã quốc gia."),
    )
    procedure_type = models.CharField(
        _("loại thủ tục"),
        max_length=20,
        choices=ProcedureType.choices,
        default=ProcedureType.STANDARD,
    )
    status = models.CharField(
        _("tình trạng"),
        max_length=20,
        choices=ProcedureStatus.choices,
        default=ProcedureStatus.ACTIVE,
    )
    decision_number = models.CharField(
        _("quyết định công bố"), max_length=120, blank=True
    )
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_authority = models.CharField(
        _("cơ quan công bố"),
        max_length=255,
        blank=True,
        help_text=_(
            "Cơ quan ban hành quyết định công bố thủ tục: một Bộ, hoặc UBND tỉnh, thành phố "
            "với thủ tục đặc thù."
        ),
    )
    effective_date = models.DateField(_("ngày hiệu lực"), null=True, blank=True)
    # The official name whole when it is longer than the title's 255 characters, else empty:
    # `official_name` is what readers see; the title is this name clipped (split_name).
    full_name = models.TextField(
        _("tên thủ tục đầy đủ"),
        blank=True,
        max_length=NAME_MAX,
        editable=False,
    )
    summary = models.TextField(_("mô tả ngắn"), blank=True, max_length=1000)

    # who
    implementing_agencies = models.TextField(_("cơ quan thực hiện"), blank=True)
    competent_authority = models.TextField(_("cơ quan có thẩm quyền"), blank=True)
    coordinating_agencies = models.TextField(_("cơ quan phối hợp"), blank=True)
    receiving_address = models.TextField(_("địa chỉ tiếp nhận hồ sơ"), blank=True)
    levels = ParentalManyToManyField(
        "catalog.Level", verbose_name=_("cấp thực hiện"), blank=True
    )
    subject_types = ParentalManyToManyField(
        "catalog.SubjectType", verbose_name=_("đối tượng thực hiện"), blank=True
    )
    fields = ParentalManyToManyField(
        "catalog.Field", verbose_name=_("lĩnh vực"), blank=True
    )
    life_events = ParentalManyToManyField(
        "catalog.LifeEvent", verbose_name=_("sự kiện cuộc đời"), blank=True
    )

    # how
    online_level = models.CharField(
        _("mức độ dịch vụ công trực tuyến"),
        max_length=20,
        choices=OnlineLevel.choices,
        default=OnlineLevel.NONE,
    )
    online_url = models.URLField(
        _("đường dẫn nộp hồ sơ trực tuyến"), max_length=500, blank=True
    )
    conditions = RichTextField(
        _("yêu cầu, điều kiện"), blank=True, features=RICH_TEXT_FEATURES
    )
    results = ParentalManyToManyField(
        "catalog.Result", verbose_name=_("kết quả thực hiện"), blank=True
    )
    result_note = models.TextField(_("ghi chú về kết quả"), blank=True)
    legal_basis = ParentalManyToManyField(
        "catalog.LegalDocument", verbose_name=_("căn cứ pháp lý"), blank=True
    )
    keywords = models.CharField(
        _("từ khóa"),
        max_length=500,
        blank=True,
        help_text=_("Các từ người dân hay gõ, cách nhau bằng dấu phẩy."),
    )
    view_count = models.PositiveIntegerField(_("lượt xem"), default=0, editable=False)

    # publishing
    change_note = models.CharField(
        _("ghi chú thay đổi công khai"),
        max_length=500,
        blank=True,
        help_text=_(
            "Người dân sẽ thấy ghi chú này trong lịch sử thay đổi. Bắt buộc khi gửi duyệt hoặc xuất bản."
        ),
    )

    search_fields = Page.search_fields + [
        index.SearchField("national_code"),
        index.SearchField("local_code"),
        index.SearchField("full_name"),
        index.SearchField("keywords"),
        index.SearchField("summary"),
        index.FilterField("status"),
        index.FilterField("online_level"),
    ]

    general_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("national_code"), FieldPanel("local_code")]),
                FieldRowPanel([FieldPanel("procedure_type"), FieldPanel("status")]),
                FieldRowPanel(
                    [
                        FieldPanel("decision_number"),
                        FieldPanel("decision_date"),
                        FieldPanel("effective_date"),
                    ]
                ),
                FieldPanel("decision_authority"),
            ],
            _("Định danh"),
        ),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("implementing_agencies"),
                FieldPanel("competent_authority"),
                FieldPanel("coordinating_agencies"),
                FieldPanel("receiving_address"),
            ],
            _("Cơ quan"),
        ),
        FieldPanel("levels", widget=CheckboxList),
        FieldPanel("subject_types", widget=CheckboxList),
        FieldPanel("fields", widget=SearchableCheckboxList),
        FieldPanel("life_events", widget=SearchableCheckboxList),
        FieldPanel("keywords"),
    ]
    how_panels = [
        InlinePanel("steps", label=_("Trình tự thực hiện"), heading=_("Các bước")),
        FieldPanel("conditions"),
        MultiFieldPanel(
            [FieldPanel("online_level"), FieldPanel("online_url")],
            _("Dịch vụ trực tuyến"),
        ),
        FieldPanel("results", widget=SearchableCheckboxList),
        FieldPanel("result_note"),
    ]
    documents_panels = [
        InlinePanel(
            "dossier_cases", label=_("Trường hợp hồ sơ"), heading=_("Thành phần hồ sơ")
        ),
    ]
    fees_panels = [
        InlinePanel(
            "execution_methods",
            label=_("Cách thức thực hiện"),
            heading=_("Cách thức, thời hạn, phí"),
        ),
    ]
    legal_panels = [FieldPanel("legal_basis", widget=SearchableCheckboxList)]
    publishing_panels = (
        [FieldPanel("change_note")] + Page.promote_panels + Page.settings_panels
    )

    # compared field by field, nested parts included (catalog/admin_compare.py)
    edit_handler = ComparingTabbedInterface(
        [
            ObjectList(general_panels, heading=_("Thông tin chung")),
            ObjectList(how_panels, heading=_("Cách thực hiện")),
            ObjectList(documents_panels, heading=_("Hồ sơ và biểu mẫu")),
            ObjectList(fees_panels, heading=_("Phí và thời hạn")),
            ObjectList(legal_panels, heading=_("Căn cứ pháp lý")),
            ObjectList(publishing_panels, heading=_("Xuất bản"), classname="settings"),
        ]
    )

    base_form_class = ProcedurePageForm
    parent_page_types = ["catalog.DepartmentPage"]
    subpage_types = []
    # Its parts are read by the template ({% procedure_page_body %}, cms/templatetags/portal.py)
    # only when the rendered body is not cached already, so get_context adds nothing.
    template = "catalog/procedure_page.html"

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        indexes = [
            models.Index(fields=["status", "online_level"]),
            models.Index(sort_code(), "page_ptr", name="procedure_sort_code"),
        ]

    def __str__(self):
        return self.title

    @property
    def announced_by_another_province(self) -> bool:
        """Its page says so and search puts it after this city's (announced_elsewhere)."""
        return announced_elsewhere(self.procedure_type, self.decision_authority)

    @property
    def lead(self) -> str:
        """The summary, unless it only says "none" (catalog.text.says_nothing)."""
        return "" if says_nothing(self.summary) else self.summary

    @property
    def official_name(self) -> str:
        """The procedure's legal name, whole: what a citizen or a client system reads."""
        return official_name(self.title, self.full_name)

    def set_name(self, name: str) -> None:
        """Write the official name: the title is it (clipped when longer than 255 characters)."""
        self.title, self.full_name = split_name(name)
        self.draft_title = self.title

    @property
    def code(self) -> str:
        """The code citizens and client systems use: the city's local code when it has one."""
        return self.local_code or self.national_code

    @property
    def department(self):
        return self.get_parent().specific

    def clean(self):
        super().clean()
        errors = {}
        if len(self.full_name) > NAME_MAX:
            errors["title"] = name_too_long_message(len(self.full_name))
        elif self.full_name:
            # a whole name the title is no longer the clipped form of is stale
            self.full_name = split_name(official_name(self.title, self.full_name))[1]
        if self.online_level == OnlineLevel.FULL and not self.online_url:
            errors["online_url"] = _(
                "Dịch vụ trực tuyến toàn trình phải có đường dẫn nộp hồ sơ."
            )
        errors.update(
            self.code_errors(
                national_code=self.national_code,
                local_code=self.local_code,
                pk=self.pk,
            )
        )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def code_errors(
        cls, *, national_code: str, local_code: str, pk: int | None = None
    ) -> dict[str, str]:
        """Field name -> why these codes cannot be this procedure's (the one with `pk`, or a
        new one): a national code another published procedure goes by, a city code any has.

        A procedure with a city code goes by that code (the API's `code`), so it may share its
        national code with one that goes by it: the import keeps two national rows whose codes
        differ only by blanks that way (catalog.importing.national)."""
        errors = {}
        if national_code and not local_code:
            duplicates = cls.objects.filter(
                national_code=national_code, local_code="", live=True
            )
            if pk:
                duplicates = duplicates.exclude(pk=pk)
            other = duplicates.first()
            if other is not None:
                errors["national_code"] = _(
                    "Mã thủ tục %(code)s đã được dùng cho thủ tục đang công bố “%(title)s”."
                ) % {"code": national_code, "title": other.title}
        if local_code:
            duplicates = cls.objects.filter(local_code=local_code)
            if pk:
                duplicates = duplicates.exclude(pk=pk)
            if duplicates.exists():
                errors["local_code"] = _(
                    "Mã thủ tục của thành phố %(code)s đã được dùng."
                ) % {"code": local_code}
        return errors

    def get_view_restrictions(self):
        """Wagtail's restrictions on this page and its ancestors, in one query instead of two.

        None at all when routing already found there are none (`public_restricted`).
        """
        from wagtail.models import PageViewRestriction

        if self.__dict__.get("public_restricted") is False:
            return PageViewRestriction.objects.none()
        paths = [
            self.path[:end]
            for end in range(self.steplen, len(self.path) + 1, self.steplen)
        ]
        chain = Page.objects.filter(path__in=paths)
        return PageViewRestriction.objects.filter(
            models.Q(page__in=chain.filter(alias_of__isnull=True).values("pk"))
            | models.Q(page__in=chain.filter(alias_of__isnull=False).values("alias_of"))
        )


class ProcedureStep(Orderable):
    page = ParentalKey(ProcedurePage, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(_("tên bước"), max_length=300, blank=True)
    description = RichTextField(_("nội dung"), features=RICH_TEXT_FEATURES)

    panels = [FieldPanel("title"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("bước thực hiện")


class ExecutionMethod(ClusterableModel, Orderable):
    """A channel to apply through, with its processing time and its fees."""

    page = ParentalKey(
        ProcedurePage, on_delete=models.CASCADE, related_name="execution_methods"
    )
    channel = models.CharField(
        _("hình thức nộp"), max_length=20, choices=Channel.choices
    )
    processing_time_value = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    processing_time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, blank=True
    )
    processing_time_text = models.CharField(
        _("thời hạn (mô tả)"),
        max_length=500,
        blank=True,
        help_text=_("Dùng khi văn bản chỉ ghi thời hạn bằng lời, không có con số."),
    )
    description = models.TextField(_("mô tả"), blank=True)

    panels = [
        FieldPanel("channel"),
        FieldRowPanel(
            [FieldPanel("processing_time_value"), FieldPanel("processing_time_unit")]
        ),
        FieldPanel("processing_time_text"),
        FieldPanel("description"),
        InlinePanel("fees", label=_("Phí, lệ phí")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("cách thức thực hiện")

    def __str__(self):
        return f"{self.get_channel_display()} – {self.processing_time_display}"

    def clean(self):
        super().clean()
        if self.processing_time_value is not None and not self.processing_time_unit:
            raise ValidationError(
                {
                    "processing_time_unit": _(
                        "Thời hạn giải quyết phải có đơn vị (ngày làm việc, ngày, giờ, tháng)."
                    )
                }
            )
        if self.processing_time_unit and self.processing_time_value is None:
            raise ValidationError(
                {
                    "processing_time_value": _(
                        "Đã chọn đơn vị thì phải nhập số thời hạn."
                    )
                }
            )
        if self.processing_time_value is not None and self.processing_time_value < 0:
            raise ValidationError(
                {"processing_time_value": _("Thời hạn giải quyết không được âm.")}
            )

    @property
    def processing_time_display(self) -> str:
        return self.format_processing_time(
            self.processing_time_value,
            self.processing_time_unit,
            self.processing_time_text,
        )

    @staticmethod
    def format_processing_time(value, unit: str, text: str) -> str:
        """ "5 ngày làm việc", "2,5 giờ", or the free text when the source has no number.

        A text that is only a number (the national portal's unit "OTHER" with a figure, 97 of its
        methods) is shown with a note that no unit was given: a bare "5" reads as nothing, and
        no unit may be guessed for it (docs/import-export.md, mapping notes).
        """
        if value is not None and unit:
            number = f"{value.normalize():f}"  # "3.5" in English, "3,5" in Vietnamese
            number = number if english() else number.replace(".", ",")
            return f"{number} {TimeUnit(unit).label}"
        if BARE_NUMBER.fullmatch(text):
            return f"{text} ({_('không ghi rõ đơn vị thời gian')})"
        return text

    @staticmethod
    def localize_processing_time(shown: str) -> str:
        """A time that `format_processing_time` wrote in Vietnamese, in the active language.

        The search index keeps the Vietnamese form ("15 ngày làm việc"); an English results page
        reads "15 working days", as the procedure page does. Free text from the source stays as
        written: only the forms this class writes itself are recognised.
        """
        number, _space, rest = shown.partition(" ")
        if not BARE_NUMBER.fullmatch(number):
            return shown
        with translation.override("vi"):
            units = {str(unit.label): unit for unit in TimeUnit}
            no_unit = f"({_('không ghi rõ đơn vị thời gian')})"
        if english():
            number = number.replace(",", ".")
        if rest in units:
            return f"{number} {units[rest].label}"
        if rest == no_unit:
            return f"{number} ({_('không ghi rõ đơn vị thời gian')})"
        return shown


class AmountField(models.BigIntegerField):
    """Whole units of the fee's currency (đồng, dollars). The admin reads 3.500.000, 3500000 or
    3 500 000 and shows 3.500.000."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": AmountFormField, **kwargs})

    def compare_display(self, obj, value) -> str:
        """The amount with the currency of the fee it belongs to (the moderator's compare
        view): "30.000" alone reads as đồng even when the fee is in dollars."""
        if value is None:  # not fixed: set by another text, as the public page says
            return str(_("Theo quy định"))
        return format_amount(value, obj.currency)

    def deconstruct(self):
        # Stored exactly like a BigIntegerField: only the admin form differs, no migration.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.BigIntegerField", args, kwargs


class FeeItem(Orderable):
    method = ParentalKey(ExecutionMethod, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(
        _("loại"), max_length=20, choices=FeeKind.choices, default=FeeKind.CHARGE
    )
    amount = AmountField(
        _("mức thu"),
        null=True,
        blank=True,
        help_text=_(
            "Số nguyên, theo đơn vị tiền tệ của khoản thu. Để trống nếu không quy định."
        ),
    )
    currency = models.CharField(
        _("đơn vị tiền tệ"),
        max_length=3,
        choices=Currency.choices,
        default=Currency.VND,
    )
    description = models.TextField(_("điều kiện, miễn giảm"), blank=True)

    panels = [
        FieldRowPanel(
            [
                FieldPanel("kind"),
                FieldPanel(
                    "amount",
                    help_text=_(
                        "Số tiền nguyên theo đơn vị tiền tệ bên cạnh, ví dụ 3.500.000 (đồng) "
                        "hoặc 50 (USD). Nhập 0 chỉ khi miễn phí; để trống nếu mức thu không "
                        "cố định (do HĐND cấp tỉnh quyết định, theo biểu phí, theo tỷ lệ) và "
                        "ghi điều đó ở ô điều kiện bên dưới."
                    ),
                ),
                FieldPanel("currency"),
            ]
        ),
        FieldPanel("description"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("phí, lệ phí")

    def clean(self):
        super().clean()
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": _("Mức phí, lệ phí không được âm.")})

    def __str__(self):
        return f"{self.get_kind_display()} · {self.amount_display}"

    @property
    def amount_display(self) -> str:
        if self.amount is None:
            return str(_("Theo quy định"))
        if self.amount == 0:
            return str(_("Miễn phí"))
        return format_amount(self.amount, self.currency)


class DossierCase(ClusterableModel, Orderable):
    """A "trường hợp": the set of documents to bring in one situation."""

    page = ParentalKey(
        ProcedurePage, on_delete=models.CASCADE, related_name="dossier_cases"
    )
    name = models.CharField(_("tên trường hợp"), max_length=500)
    description = models.TextField(_("mô tả"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        InlinePanel("documents", label=_("Giấy tờ")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("trường hợp hồ sơ")

    def __str__(self):
        return self.name


class RequiredDocument(Orderable):
    case = ParentalKey(DossierCase, on_delete=models.CASCADE, related_name="documents")
    name = models.TextField(_("tên giấy tờ"))
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    is_required = models.BooleanField(_("bắt buộc"), default=True)
    note = models.TextField(_("ghi chú"), blank=True)
    form_template = models.ForeignKey(
        "catalog.FormTemplate",
        verbose_name=_("mẫu đơn, tờ khai"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel(
            [FieldPanel("originals"), FieldPanel("copies"), FieldPanel("is_required")]
        ),
        FieldPanel("note"),
        FieldPanel("form_template"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("giấy tờ phải nộp")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.is_required and not self.originals and not self.copies:
            raise ValidationError(
                {
                    "copies": _(
                        "Giấy tờ bắt buộc phải có ít nhất một bản chính hoặc một bản sao."
                    )
                }
            )
