"""Administrators' tuning applies at once in this process (and within seconds in the others)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from search.engines.base import forget_tuning
from search.models import BestBet, Synonym


@receiver([post_save, post_delete], sender=Synonym)
@receiver([post_save, post_delete], sender=BestBet)
def _tuning_changed(sender, **kwargs):
    forget_tuning()
