"""A chooser redisplaying a value that is not an id answers with its form error, not a 500.

Wagtail's chooser widgets (page, document, snippet) look the submitted value up by primary key
to show its title again when the form has errors; a value that is not a number ("abc", a
tampered POST) made that lookup raise ValueError while the form was being drawn, for every
chooser in the admin. The form itself already rejects the value; the widget now shows nothing
chosen, as it does for an id that no longer exists.
"""

from wagtail.admin.widgets.chooser import BaseChooser

_lookup = BaseChooser.get_instance


def _get_instance(self, value):
    try:
        return _lookup(self, value)
    except (TypeError, ValueError):
        return None


def install() -> None:
    """Called from CmsConfig.ready()."""
    BaseChooser.get_instance = _get_instance
