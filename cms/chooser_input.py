"""A chooser redrawn after a form error shows only what its field could have accepted.

Wagtail's chooser widgets (page, document, snippet) look the submitted value up by primary key
to show its title again when the form has errors. Two things went wrong there, for every chooser
in the admin:
- a value that is not a number ("abc", a tampered POST) made that lookup raise ValueError while
  the form was being drawn: a 500;
- the lookup searched the whole table, so a tampered POST naming a record the form refuses (a
  draft procedure, another department's record) was answered with that record's title.

The form field sets its queryset on the widget as `choices` (Django's ModelChoiceField does);
the widget now looks values up there, and shows nothing chosen when the value is not among
them, as it does for an id that no longer exists.
"""

from django.core.exceptions import ValidationError
from django.db.models import Model

from wagtail.admin.widgets.chooser import BaseChooser

_lookup = BaseChooser.get_instance


def _get_instance(self, value):
    try:
        if value is not None and not isinstance(value, Model):
            queryset = getattr(getattr(self, "choices", None), "queryset", None)
            if queryset is not None and not queryset.filter(pk=value).exists():
                return None
        return _lookup(self, value)
    except (TypeError, ValueError, ValidationError):
        return None


def install() -> None:
    """Called from CmsConfig.ready()."""
    BaseChooser.get_instance = _get_instance
