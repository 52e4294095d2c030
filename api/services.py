"""Writes for API keys: issue, revoke, restore."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import KEY_PREFIX_LENGTH, ApiKey, generate_raw_key, hash_key


@transaction.atomic
def issue_api_key(
    *,
    name: str,
    per_minute: int = 600,
    per_day: int | None = None,
    contact: str = "",
    created_by=None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with the raw secret, which is never stored nor shown again."""
    for _attempt in range(5):
        raw = generate_raw_key()
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    name=name,
                    contact=contact,
                    per_minute=per_minute,
                    per_day=per_day,
                    prefix=raw[:KEY_PREFIX_LENGTH],
                    key_hash=hash_key(raw),
                    created_by=created_by,
                )
            return key, raw
        except IntegrityError:  # a prefix collision: draw again
            continue
    raise RuntimeError("could not draw a unique API key prefix")


def revoke_api_key(*, key: ApiKey) -> ApiKey:
    """Refuse the key from now on; the row stays for the record."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def restore_api_key(*, key: ApiKey) -> ApiKey:
    key.revoked_at = None
    key.save(update_fields=["revoked_at"])
    return key
