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

And on SQLite an id past its 64-bit integers (99999999999999999999) made Django's
ModelChoiceField raise OverflowError from the lookup, a 500 on any form with a model choice
(found with page-type choices: the best-bet screens); it is now the field's invalid-choice error.
"""

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.models import ModelChoiceField, ModelMultipleChoiceField

from wagtail.admin.widgets.chooser import BaseChooser

_lookup = BaseChooser.get_instance


def _get_instance(self, value):
    try:
        if value is not None and not isinstance(value, Model):
            queryset = getattr(getattr(self, "choices", None), "queryset", None)
            if queryset is not None and not queryset.filter(pk=value).exists():
                return None
        return _lookup(self, value)
    except (TypeError, ValueError, OverflowError, ValidationError):
        return None


_to_python = ModelChoiceField.to_python
_check_values = ModelMultipleChoiceField._check_values


def _choice_to_python(self, value):
    try:
        return _to_python(self, value)
    except OverflowError:
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        ) from None


def _check_choice_values(self, value):
    try:
        return _check_values(self, value)
    except OverflowError:
        raise ValidationError(
            self.error_messages["invalid_pk_value"],
            code="invalid_pk_value",
            params={"pk": next(iter(value), "")},
        ) from None


def install() -> None:
    """Called from CmsConfig.ready()."""
    BaseChooser.get_instance = _get_instance
    ModelChoiceField.to_python = _choice_to_python
    ModelMultipleChoiceField._check_values = _check_choice_values
