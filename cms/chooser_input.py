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


def _overflow_refused(method, code: str, params):
    """`method` of a model choice field, with OverflowError as the field's `code` error."""

    def refusing(self, value):
        try:
            return method(self, value)
        except OverflowError:
            raise ValidationError(
                self.error_messages[code], code=code, params=params(value)
            ) from None

    return refusing


_choice_to_python = _overflow_refused(
    ModelChoiceField.to_python, "invalid_choice", lambda value: {"value": value}
)
_check_choice_values = _overflow_refused(
    ModelMultipleChoiceField._check_values,
    "invalid_pk_value",
    lambda values: {"pk": next(iter(values), "")},
)


def install() -> None:
    """Called from CmsConfig.ready()."""
    BaseChooser.get_instance = _get_instance
    ModelChoiceField.to_python = _choice_to_python
    ModelMultipleChoiceField._check_values = _check_choice_values
