"""Forms shared by the two screens that pin a procedure: the tuning screen's "Ghim kết quả"
and the best-bet snippet screen (Tìm kiếm → Kết quả ghim)."""

from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from catalog.models import ProcedurePage

NOT_PINNABLE = _(
    "Chỉ ghim được thủ tục đã công bố: thủ tục đã chọn chưa công bố, "
    "bị giới hạn xem hoặc không còn. Hãy chọn lại."
)


def limit_to_pinnable(field, *, keeping: int | None = None) -> None:
    """Only procedures the public search can show may be pinned, and a refusal says why.

    `keeping`: the procedure a saved pin already holds stays accepted even if it was unpublished
    since, so that pin can still be switched off or reordered (the search skips it meanwhile).
    """
    pinnable = ProcedurePage.objects.live().public()
    if keeping is not None:
        pinnable = pinnable | ProcedurePage.objects.filter(pk=keeping)
    field.queryset = pinnable
    field.error_messages["invalid_choice"] = NOT_PINNABLE


class BestBetForm(WagtailAdminModelForm):
    """The snippet screen's form: it refuses a draft as the tuning screen does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_to_pinnable(self.fields["procedure"], keeping=self.instance.procedure_id)
