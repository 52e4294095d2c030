"""Delete and usage screens of the shared lists that count procedures' relations and drafts."""

from django.shortcuts import redirect
from django.utils.translation import gettext as _

from wagtail.admin import messages
from wagtail.snippets.views import snippets as snippet_views

from catalog.models import PublicHoliday
from catalog.request_values import is_id
from catalog.shared_usage import (
    describe_usage,
    merge_into,
    procedure_ids_using,
    relation_for,
)


class ProcedureUsageMixin:
    """Adds `procedure_rows` / `hidden_procedures` / `procedure_count` to the context."""

    def procedure_usage_context(self) -> dict:
        rows, hidden = describe_usage(self.request.user, self.procedure_ids)
        return {
            "procedure_rows": rows,
            "hidden_procedures": hidden,
            "procedure_count": len(self.procedure_ids),
            "is_holiday": isinstance(self.object, PublicHoliday),
        }


class SharedListDeleteView(ProcedureUsageMixin, snippet_views.DeleteView):
    """An entry used by a procedure (live, draft or scheduled) cannot be deleted."""

    def get_template_names(self):
        return ["catalog_admin/shared_list_confirm_delete.html"]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.procedure_ids = procedure_ids_using(self.object)

    def refusal_message(self) -> str:
        return _(
            "Không thể xóa “%(entry)s”: %(count)s thủ tục đang dùng mục này "
            "(kể cả bản nháp chưa xuất bản). Hãy bỏ mục này khỏi các thủ tục đó trước."
        ) % {"entry": self.object, "count": len(self.procedure_ids)}

    def post(self, request, *args, **kwargs):
        if self.procedure_ids and request.POST.get("merge_into"):
            return self.merge(request.POST["merge_into"])
        if self.procedure_ids:
            messages.error(request, self.refusal_message())
            return self.render_to_response(self.get_context_data(), status=409)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if procedure_ids_using(self.object):  # re-checked at the moment of deleting
            messages.error(self.request, self.refusal_message())
            return self.render_to_response(self.get_context_data(), status=409)
        return super().form_valid(form)

    def merge_targets(self):
        if relation_for(type(self.object)) is None:
            return self.model.objects.none()
        return self.model.objects.exclude(pk=self.object.pk)

    def merge(self, target_pk: str):
        target = (
            self.merge_targets().filter(pk=target_pk).first()
            if is_id(target_pk)
            else None
        )
        if target is None:
            messages.error(self.request, _("Hãy chọn mục để gộp vào."))
            return self.render_to_response(self.get_context_data(), status=400)
        source = str(self.object)
        changed = merge_into(source=self.object, target=target, user=self.request.user)
        messages.success(
            self.request,
            _("Đã gộp “%(source)s” vào “%(target)s”; %(count)s thủ tục được cập nhật.")
            % {"source": source, "target": target, "count": changed},
        )
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.procedure_usage_context())
        context["merge_targets"] = self.merge_targets() if self.procedure_ids else []
        if "usage_count" in context:
            context["usage_count"] += len(self.procedure_ids)
        if self.procedure_ids:
            context["is_protected"] = True
        return context


class SharedListUsageView(ProcedureUsageMixin, snippet_views.UsageView):
    def get_template_names(self):
        return ["catalog_admin/shared_list_usage.html"]

    def get_context_data(self, *args, **kwargs):
        self.procedure_ids = procedure_ids_using(self.object)
        context = super().get_context_data(*args, **kwargs)
        context.update(self.procedure_usage_context())
        return context
