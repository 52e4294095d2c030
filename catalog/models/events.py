"""Catalog events: the one record of what was published, changed or withdrawn, and when."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventAction(models.TextChoices):
    PUBLISHED = "published", _("Công bố")
    UPDATED = "updated", _("Cập nhật")
    UNPUBLISHED = "unpublished", _("Ngừng công bố")
    MOVED = "moved", _("Chuyển đơn vị")
    DELETED = "deleted", _("Xóa")


class CatalogEvent(models.Model):
    """Append-only. `id` is the sequence number the change feed and the indexer replay."""

    page_id = models.PositiveIntegerField(_("trang"), db_index=True)
    procedure = models.ForeignKey(
        "catalog.ProcedurePage",
        verbose_name=_("thủ tục"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_constraint=False,
    )
    national_code = models.CharField(_("mã quốc gia"), max_length=40)
    local_code = models.CharField(_("mã thành phố"), max_length=40, blank=True)
    department_code = models.CharField(_("mã đơn vị"), max_length=64, blank=True)
    action = models.CharField(
        _("hành động"), max_length=20, choices=EventAction.choices
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("tên thủ tục"), max_length=500, blank=True)
    change_note = models.CharField(_("ghi chú thay đổi"), max_length=500, blank=True)
    occurred_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    # Recorded because shared data the procedure shows changed (a renamed field or department,
    # a replaced form file): the feed and the indexer take it, the public history does not.
    from_shared_data = models.BooleanField(
        _("do dữ liệu dùng chung thay đổi"), default=False
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("sự kiện danh mục")
        verbose_name_plural = _("sự kiện danh mục")
        indexes = [models.Index(fields=["procedure", "id"])]

    def __str__(self):
        return f"#{self.pk} {self.action} {self.code}"

    @property
    def code(self) -> str:
        return self.local_code or self.national_code
