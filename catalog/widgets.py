"""Admin widgets that fit how civil servants pick from the shared lists.

A plain <select multiple> drops every other selection on one plain click; checkboxes keep them.
Long lists (fields, results, legal documents) get a filter box that matches without diacritics
("ho tich" finds "Hộ tịch") and a count of what is ticked. Date boxes keep what was typed.
"""

from django import forms

from wagtail.admin.widgets import AdminDateInput


class CheckboxList(forms.CheckboxSelectMultiple):
    """Short lists: every entry visible, one click per entry."""

    template_name = "catalog_admin/widgets/checkbox_list.html"

    class Media:
        css = {"all": ["catalog/css/checkbox_list.css"]}


class SearchableCheckboxList(CheckboxList):
    """Long lists: the same checkboxes in a scrolling box with a filter and the ticked first."""

    template_name = "catalog_admin/widgets/searchable_checkbox_list.html"

    def optgroups(self, name, value, attrs=None):
        # ticked entries first, so a long list opens on what the procedure already has
        groups = super().optgroups(name, value, attrs)
        chosen = [group for group in groups if group[1][0]["selected"]]
        others = [group for group in groups if not group[1][0]["selected"]]
        return chosen + others

    class Media:
        js = ["catalog/js/checkbox_list.js"]


class TypedDateInput(AdminDateInput):
    """Wagtail's date picker, minus its "correction" on blur.

    The picker's validateOnBlur replaced what it could not read: 31/02/2026 rolled over to
    03/03/2026, 32/01/2026 or 04/13/2026 became today, and the save stored that date. Typed
    text now stays as typed; catalog/js/date_input.js writes a real date as dd/mm/yyyy and
    DayMonthYearField refuses the rest, naming the field.
    """

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs={"data-typed-date": "", **(attrs or {})}, format=format)

    def get_config(self):
        return {**super().get_config(), "validateOnBlur": False}

    @property
    def media(self):
        return super().media + forms.Media(js=["catalog/js/date_input.js"])
