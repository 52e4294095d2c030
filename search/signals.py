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
    """Synonyms, best bets and facet labels are cached briefly; a change drops the cache."""
    forget_tuning()
