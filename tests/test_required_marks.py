"""Every field a form cannot do without is marked required (asterisk and aria-required), and
every form with an asterisk explains it."""

from __future__ import annotations

from mss_support import Visitor, make_member

from web.portals.espace_prive.forms import IdentifierForm, VerificationForm


def test_the_identifier_serial_and_iban_are_required():
    assert IdentifierForm().identifier.flags.required
    assert IdentifierForm(company=True).identifier.flags.required
    form = VerificationForm()
    assert form.serial.flags.required and form.iban.flags.required


async def test_the_mss_answer_is_marked_required(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    question = (await visitor.open()).text
    answer = question.split('id="answer"')[1].split(">")[0]
    assert 'aria-required="true"' in answer
    label = question.split('<label class="field__label" for="answer">')[1].split("</label>")[0]
    assert label.endswith('<span class="required" aria-hidden="true"> *</span>')


async def test_the_log_in_form_explains_the_asterisk(client):
    main = (await client.get("/mss/login")).text.split("<main")[1]
    assert "Les champs marqués d'un astérisque (*) sont obligatoires." in main
