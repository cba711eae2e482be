"""dialog_link, dialog_slot, dialog: a link to a real page, a native dialog for htmx."""

from types import SimpleNamespace

IMPORT = '{% from "dialog/dialog.html" import dialog, dialog_link, dialog_slot with context %}'
BODY = (
    '{% call dialog("policy", title) %}<p>Text</p>'
    '<a href="/back" data-close-dialog>Cancel</a>{% endcall %}'
)


def request(partial: bool):
    return SimpleNamespace(headers={"hx-request-type": "partial"} if partial else {})


def test_link_works_without_js(render):
    page = render(
        IMPORT + '{{ dialog_link("/mss/policy?back=/mss/register", "Read and accept",'
        ' "policy") }}{{ dialog_slot() }}'
    )
    link = page.one("a")
    assert link["href"] == link["data-hx-get"] == "/mss/policy?back=/mss/register"
    assert link["data-hx-target"] == "#dialog-slot" and link["data-dialog"] == "policy"
    assert link.text == "Read and accept"
    slot = page.by_id("dialog-slot")
    assert slot.tag == "div" and not slot.children


def test_partial_request_renders_a_modal_dialog(render):
    page = render(IMPORT + BODY, title="Policy", request=request(partial=True))
    box = page.one("dialog")
    assert box["id"] == "policy" and "data-open" in box.attrs and "open" not in box.attrs
    assert box["aria-labelledby"] == "policy-title"
    heading = page.by_id("policy-title")
    assert heading.tag == "h2" and heading["tabindex"] == "-1" and "autofocus" in heading.attrs
    assert page.one("a")["data-close-dialog"] is None  # present, as a boolean attribute


def test_full_page_renders_a_section_with_h1(render):
    for context in ({"request": request(partial=False)}, {}):
        page = render(IMPORT + BODY, title="Policy", **context)
        assert not page.find("dialog")
        assert page.one("section")["aria-labelledby"] == "policy-title"
        assert page.by_id("policy-title").tag == "h1"


def test_modal_forced(render):
    page = render(IMPORT + '{% call dialog("d", "T", modal=True) %}x{% endcall %}')
    assert page.one("dialog")["id"] == "d"


def test_escaping(render, hostile):
    page = render(
        IMPORT + '{{ dialog_link(h, h, "d", slot="s") }}'
        '{% call dialog("d", h, modal=True) %}{{ h }}{% endcall %}',
        h=hostile,
    )
    assert page.one("a")["href"] == hostile
    assert hostile in page.by_id("d-title").text
    assert "<script>" not in page.html
