"""API keys for client systems (the portal front end, one-stop case systems)."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX_LENGTH = 8


def hash_key(raw_key: str) -> str:
    """Keys carry 256 random bits, so one fast SHA-256 suffices (no password stretching needed)."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def generate_raw_key() -> str:
    """`<8-char visible prefix>.<secret>`; only the prefix is ever shown again."""
    return f"{secrets.token_hex(KEY_PREFIX_LENGTH // 2)}.{secrets.token_urlsafe(32)}"


class ApiKey(models.Model):
    """One client system's credential; the raw key is shown once at issue and never stored."""

    name = models.CharField(
        _("tên hệ thống"),
        max_length=200,
        help_text=_("Ví dụ: Hệ thống một cửa UBND phường Bến Thành"),
    )
    contact = models.CharField(
        _("người liên hệ"),
        max_length=300,
        blank=True,
        help_text=_("Họ tên, thư điện tử hoặc số điện thoại của đơn vị vận hành."),
    )
    prefix = models.CharField(
        _("tiền tố khóa"), max_length=KEY_PREFIX_LENGTH, unique=True, editable=False
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    per_minute = models.PositiveIntegerField(
        _("hạn mức mỗi phút"),
        default=600,
        help_text=_("Số yêu cầu tối đa trong một phút."),
    )
    per_day = models.PositiveIntegerField(
        _("hạn mức mỗi ngày"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu không giới hạn theo ngày."),
    )
    created_at = models.DateTimeField(_("cấp lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cấp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    revoked_at = models.DateTimeField(
        _("thu hồi lúc"), null=True, blank=True, editable=False
    )
    last_used_at = models.DateTimeField(
        _("dùng gần nhất"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def status_label(self) -> str:
        return str(_("Đang hoạt động") if self.is_active else _("Đã thu hồi"))

    def mark_used(self) -> None:
        """Record use at most every five minutes, so authentication does not write on every request."""
        now = timezone.now()
        if self.last_used_at and (now - self.last_used_at).total_seconds() < 300:
            return
        ApiKey.objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now


class ProcedureRepresentation(models.Model):
    """The full public JSON of one published procedure, serialized once per version of its data.

    `version` digests everything the JSON depends on (live revision, last publish, tree position,
    catalog.freshness.shared_version(), the representation code); a row whose version differs from
    the page's current one is stale and rebuilt, never served. Rows are served only for pages the
    published-only query returns, so a withdrawn procedure's row is inert.
    """

    page_id = models.BigIntegerField(primary_key=True)
    version = models.CharField(max_length=64)
    body = models.BinaryField()
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("bản JSON thủ tục")
