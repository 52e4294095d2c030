"""Administrators' tuning applies at once in this process (and within seconds in the others)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog.models import DepartmentPage, Field, Level, SubjectType
from search.engines.base import forget_tuning
from search.models import BestBet, Synonym


@receiver([post_save, post_delete], sender=Synonym)
@receiver([post_save, post_delete], sender=BestBet)
@receiver([post_save, post_delete], sender=DepartmentPage)
@receiver([post_save, post_delete], sender=Field)
@receiver([post_save, post_delete], sender=Level)
@receiver([post_save, post_delete], sender=SubjectType)
def _tuning_changed(sender, **kwargs):
    """Synonyms, best bets and facet labels are cached briefly; a change drops the cache, and
    pages rendered before it no longer revalidate (a 304 would keep the old results)."""
    from django.db import transaction

    from cms.http_cache import forget_tuning_token

    forget_tuning()
    forget_tuning_token()
    transaction.on_commit(forget_tuning_token)
