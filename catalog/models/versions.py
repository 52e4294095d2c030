from django.db import models


class SharedVersion(models.Model):
    """One row counting changes to what procedures embed from outside themselves (see catalog.freshness)."""

    counter = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "phiên bản dữ liệu dùng chung"
