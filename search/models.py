"""Search tuning owned by catalog administrators, and the bookkeeping the indexer needs."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel

from search.analysis import analyze_query, fold, folded_tokens, parse_synonym_line

MAX_TERMS_LENGTH = 500


class Synonym(models.Model):
    """One synonym rule an administrator adds in the admin; applied at query time, no deploy."""

    terms = models.CharField(
        _("các từ đồng nghĩa"),
        max_length=MAX_TERMS_LENGTH,
        help_text=_(
            "Các cách gọi cùng một việc, cách nhau bằng dấu phẩy, ví dụ: "
            "“sổ đỏ, giấy chứng nhận quyền sử dụng đất”. Dùng “a, b => c” nếu chỉ "
            "muốn a, b tìm thêm c."
        ),
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    panels = [FieldPanel("terms"), FieldPanel("active"), FieldPanel("note")]

    class Meta:
        ordering = ["terms"]
        verbose_name = _("từ đồng nghĩa")
        verbose_name_plural = _("từ đồng nghĩa")

    def __str__(self):
        return self.terms

    def clean(self):
        super().clean()
        rule = parse_synonym_line(self.terms or "")
        if rule is None:
            raise ValidationError(
                {"terms": _("Cần ít nhất hai cụm từ, cách nhau bằng dấu phẩy.")}
            )
        for side in {rule.sources, rule.targets}:
            repeated = [phrase for phrase in side if side.count(phrase) > 1]
            if repeated:  # "cưới, cuoi" too: phrases are compared without diacritics
                raise ValidationError(
                    {
                        "terms": _(
                            "Cụm từ “%(phrase)s” có hai lần trong quy tắc (không kể dấu)."
                        )
                        % {"phrase": " ".join(repeated[0])}
                    }
                )
        # the same rule twice (a form sent again, by the browser's Back): switching one off
        # would leave the other applied
        for other in Synonym.objects.exclude(pk=self.pk).only("terms"):
            if parse_synonym_line(other.terms) == rule:
                raise ValidationError(
                    {
                        "terms": _(
                            "Quy tắc này đã có: “%(terms)s”. Hãy sửa quy tắc đó thay vì "
                            "thêm một quy tắc trùng."
                        )
                        % {"terms": other.terms}
                    }
                )


class BestBet(models.Model):
    """An administrator pins a procedure to the top of the results for a query."""

    query = models.CharField(
        _("câu tìm kiếm"),
        max_length=200,
        help_text=_("Không phân biệt dấu và chữ hoa, ví dụ: “lam can cuoc”."),
    )
    normalized_query = models.CharField(max_length=200, editable=False, db_index=True)
    procedure = models.ForeignKey(
        "catalog.ProcedurePage",
        verbose_name=_("thủ tục được ghim"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    active = models.BooleanField(_("đang dùng"), default=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    panels = [
        FieldPanel("query"),
        FieldPanel("procedure"),
        FieldPanel("sort_order"),
        FieldPanel("active"),
    ]

    class Meta:
        ordering = ["normalized_query", "sort_order"]
        verbose_name = _("kết quả ghim")
        verbose_name_plural = _("kết quả ghim")
        constraints = [
            models.UniqueConstraint(
                fields=["normalized_query", "procedure"], name="search_bestbet_unique"
            )
        ]

    def __str__(self):
        return f"{self.query} → {self.procedure_id}"

    @staticmethod
    def normalize(query: str) -> str:
        """The key a query is looked up by: its analysed (folded, stop-word-free) tokens."""
        return " ".join(analyze_query(query).folded)[:200]

    def clean(self):
        super().clean()
        if not folded_tokens(self.query or ""):
            raise ValidationError({"query": _("Câu tìm kiếm không được để trống.")})
        # the unique constraint's key is computed, so no form checks it: every form gets this
        if self.procedure_id is not None:
            pinned = BestBet.objects.filter(
                normalized_query=self.normalize(self.query),
                procedure_id=self.procedure_id,
            ).exclude(pk=self.pk)
            if pinned.exists():
                raise ValidationError(
                    {"query": _("Thủ tục này đã được ghim cho câu tìm kiếm này.")}
                )

    def save(self, *args, **kwargs):
        self.normalized_query = self.normalize(self.query)
        super().save(*args, **kwargs)


class IndexAction(models.TextChoices):
    INDEX = "index", _("Đưa vào chỉ mục")
    REMOVE = "remove", _("Xóa khỏi chỉ mục")


class PendingIndexChange(models.Model):
    """A change one index has not confirmed yet; kept until it is applied.

    Each host's embedded index has its own pending changes (`indexer` is its cursor's name),
    so a host that applied a change never deletes one another host still has to apply.
    """

    indexer = models.CharField(max_length=40, default="default")
    page_id = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=IndexAction.choices)
    event_id = models.PositiveBigIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("thay đổi chờ cập nhật chỉ mục")
        verbose_name_plural = _("thay đổi chờ cập nhật chỉ mục")
        constraints = [
            models.UniqueConstraint(
                fields=["indexer", "page_id"], name="search_pending_indexer_page"
            )
        ]

    def __str__(self):
        return f"{self.indexer}: {self.action} {self.page_id}"


class IndexCursor(models.Model):
    """How far one index has read the catalog event log (CatalogEvent.id).

    Named by search.indexing.indexer_name(): SEARCH_HOST_ID for a host's embedded index,
    "shared" for the one index every host uses (Elasticsearch).
    """

    name = models.CharField(max_length=40, primary_key=True, default="default")
    last_event_id = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    # Which index reads with this cursor (search.indexing.index_identity()) and when it last
    # did: a second host started with the same SEARCH_HOST_ID is refused, not left to steal
    # the first one's events.
    holder = models.CharField(max_length=300, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name}: {self.last_event_id}"


class SearchRecord(models.Model):
    """The database copy of each indexed procedure: the fallback searches its folded name."""

    page_id = models.PositiveIntegerField(primary_key=True)
    code = models.CharField(max_length=40, db_index=True)
    # the official name whole (catalog.text.NAME_MAX), so the fallback finds its last words too
    name = models.CharField(max_length=2000)
    name_folded = models.CharField(max_length=2000, db_index=True)
    department_code = models.CharField(max_length=64, blank=True)
    online_level = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_folded"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @staticmethod
    def fold_name(name: str) -> str:
        return " ".join(fold(name).split())


class SearchQueryDay(models.Model):
    """How often citizens searched one query on one day: no IP, user or session is kept.

    Written in batches from the cache buffer (search/query_log.py), never per request; the
    query is normalised and stripped of digit runs and e-mail addresses before it gets here.
    """

    day = models.DateField(_("ngày"))
    query = models.CharField(_("câu tìm kiếm"), max_length=200)
    searches = models.PositiveIntegerField(_("lượt tìm"), default=0)
    zero_result_searches = models.PositiveIntegerField(
        _("lượt không có kết quả"), default=0
    )
    clicks = models.PositiveIntegerField(_("lượt mở kết quả"), default=0)
    result_count = models.PositiveIntegerField(_("số kết quả lần gần nhất"), default=0)

    class Meta:
        ordering = ["-day", "-searches"]
        verbose_name = _("thống kê câu tìm kiếm")
        verbose_name_plural = _("thống kê câu tìm kiếm")
        constraints = [
            models.UniqueConstraint(fields=["day", "query"], name="search_query_day")
        ]

    def __str__(self):
        return f"{self.day} {self.query}: {self.searches}"
