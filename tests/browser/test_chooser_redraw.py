"""Chooser widgets redrawn after a form error (cms/chooser_input.py), as an independent tester met them.

The patch makes a chooser redrawn after a form error show only a value among its field's own
choices. What must not break, and what it must refuse, clicked through in Chromium:

1. A department editor chooses a form template through the chooser modal, then saves with an
   unrelated error (the title emptied): the redrawn form still shows the chosen template; once the
   title is put back the save keeps it.
2. A catalog administrator chooses a procedure through the page chooser on the best-bet tuning
   screen, previews, then previews with a blank query: the procedure's title is still shown and
   the rule saves. A tampered value ("abc", a draft procedure) is a form error, not a 500, and the
   draft's title is not shown.
3. A tampered id of another department's form template (the field's queryset is every template;
   the form refuses it by permission) is refused without naming it, and the redrawn chooser shows
   what the row held before, not the refused template's title or code.
"""

import re

from django.contrib.auth import get_user_model

import pytest

from catalog.services.roles import grant_role
from tests.browser.conftest import superuser_and_catalog_admin
from tests.browser.test_search_tuning import PASSWORD, log_in
from tests.factories import make_form_template, make_procedure

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

CHOSEN_FORM_CODE = "TK-CS"
CHOSEN_FORM_NAME = "Tờ khai xác nhận giấy chứng sinh"
OTHER_DEPARTMENT_FORM = "Mẫu riêng của phường Bến Thành"
DRAFT_TITLE = "Thủ tục còn nháp để thử"
# the second required document of the first dossier case ("Giấy chứng sinh") has no template
EMPTY_ROW = "dossier_cases-0-documents-1-form_template"


@pytest.fixture
def people(site, django_user_model):
    root, admin = superuser_and_catalog_admin("qtdm", PASSWORD)
    editor = get_user_model().objects.create_user(
        "stp-editor", "e@example.invalid", PASSWORD
    )
    grant_role(actor=root, user=editor, department=site["justice"], role="editor")
    return {"editor": editor.username, "admin": admin.username}


def _chooser(page, name):
    """(hidden value, title shown) of the chooser whose input is `name`."""
    return page.evaluate(
        """(name) => {
            const input = document.querySelector(`input[type=hidden][name='${name}']`);
            const chooser = document.getElementById(`${input.id}-chooser`);
            return [input.value, chooser.querySelector('[data-chooser-title]').textContent.trim()];
        }""",
        name,
    )


def _row(page, document_name):
    """The form-template input name of the required document called `document_name`."""
    return page.evaluate(
        """(wanted) => {
            const field = Array.from(document.querySelectorAll('[name$="-name"]'))
                .find(f => !f.name.includes('__prefix__') && f.value === wanted);
            return field.name.replace(/-name$/, '-form_template');
        }""",
        document_name,
    )


def _save_draft(page):
    with page.expect_navigation():
        page.locator("button.action-save").first.click()


def test_a_form_template_chosen_in_the_modal_survives_an_unrelated_error(
    site, people, page
):
    url = site["url"]
    chosen = make_form_template(
        department=site["justice"], code=CHOSEN_FORM_CODE, name=CHOSEN_FORM_NAME
    )
    birth = site["birth"]
    log_in(page, url, people["editor"])
    page.goto(f"{url}/admin/pages/{birth.pk}/edit/")
    first = _chooser(page, "dossier_cases-0-documents-0-form_template")
    assert first == [str(site["form"].pk), str(site["form"])]  # first display
    assert _row(page, "Giấy chứng sinh") == EMPTY_ROW
    assert _chooser(page, EMPTY_ROW) == ["", ""]

    page.get_by_role("tab", name=re.compile("Hồ sơ")).click()
    page.locator(
        f"#id_{EMPTY_ROW}-chooser .unchosen [data-chooser-action-choose]"
    ).click()
    page.locator(".modal-dialog table tbody a", has_text=CHOSEN_FORM_CODE).click()
    page.locator(".modal-dialog").wait_for(state="hidden")
    assert _chooser(page, EMPTY_ROW) == [str(chosen.pk), str(chosen)]

    page.get_by_role("tab", name=re.compile("Thông tin chung")).click()
    title = page.locator("#id_title")
    old_title = title.input_value()
    title.fill("")
    _save_draft(page)
    assert page.locator(".w-field__errors", has_text="bắt buộc").count() > 0
    assert _chooser(page, EMPTY_ROW) == [str(chosen.pk), str(chosen)]
    assert _chooser(page, "dossier_cases-0-documents-0-form_template") == first

    page.get_by_role("tab", name=re.compile("Thông tin chung")).click()
    page.locator("#id_title").fill(old_title)
    _save_draft(page)
    page.goto(f"{url}/admin/pages/{birth.pk}/edit/")
    # the rows may come back in another order (the test data's cases have no sort_order)
    assert _chooser(page, _row(page, "Giấy chứng sinh")) == [
        str(chosen.pk),
        str(chosen),
    ]


def test_the_best_bet_screen_keeps_the_chosen_procedure_and_refuses_tampered_values(
    site, people, page
):
    url = site["url"]
    marriage = site["marriage"]
    draft = make_procedure(
        department=site["justice"],
        national_code="9.999001",
        title=DRAFT_TITLE,
        publish=False,
    )
    log_in(page, url, people["admin"])
    screen = f"{url}/admin/search-tuning/best-bet/?q=ket%20hon"
    page.goto(screen)
    page.locator("#id_procedure-chooser [data-chooser-action-choose]").first.click()
    page.locator(".modal-dialog input[name=q]").fill("kết hôn")
    page.locator(".modal-dialog a", has_text="Đăng ký kết hôn").first.click()
    page.locator(".modal-dialog").wait_for(state="hidden")
    assert _chooser(page, "procedure") == [str(marriage.pk), "Đăng ký kết hôn"]

    page.locator("button[value=preview]").click()
    page.wait_for_load_state()
    assert _chooser(page, "procedure") == [str(marriage.pk), "Đăng ký kết hôn"]

    page.locator("#id_query").fill("")
    page.locator("button[value=preview]").click()
    page.wait_for_load_state()
    assert page.locator(".w-field__errors", has_text="bắt buộc").count() > 0
    assert _chooser(page, "procedure") == [str(marriage.pk), "Đăng ký kết hôn"]

    page.locator("#id_query").fill("ket hon")
    with page.expect_navigation(url=re.compile(r"/admin/search-tuning/$")):
        page.locator("button[value=save]").click()

    for tampered in ("abc", "-1", str(draft.pk)):
        page.goto(screen)
        page.evaluate(
            "(v) => { document.querySelector('input[name=procedure]').value = v; }",
            tampered,
        )
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.locator("button[value=preview]").click()
        assert posted.value.status == 200, tampered
        page.wait_for_load_state()
        assert _chooser(page, "procedure") == ["", ""], tampered
        assert (
            page.locator(".w-field__errors", has_text="Chỉ ghim được thủ tục").count()
            > 0
        )
        assert DRAFT_TITLE not in page.content()


def test_a_tampered_template_of_another_department_is_not_redrawn_with_its_title(
    site, people, page
):
    url = site["url"]
    foreign = make_form_template(
        department=site["ward"], code="PBT-RIENG", name=OTHER_DEPARTMENT_FORM
    )
    log_in(page, url, people["editor"])
    page.goto(f"{url}/admin/pages/{site['birth'].pk}/edit/")
    page.evaluate(
        "([n, v]) => { document.querySelector(`input[name='${n}']`).value = v; }",
        [EMPTY_ROW, str(foreign.pk)],
    )
    _save_draft(page)
    assert page.locator(".w-field__errors", has_text="Bạn không được dùng mẫu").count()
    assert OTHER_DEPARTMENT_FORM not in page.content()
    assert "PBT-RIENG" not in page.content()
    assert _chooser(page, EMPTY_ROW) == ["", ""]
