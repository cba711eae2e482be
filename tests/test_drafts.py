"""Typed drafts: the stored shape, and the one loader that migrates an old one or starts over."""

from __future__ import annotations

from datetime import UTC, datetime

from web.portals.accounts.typed import TypedLogins
from web.portals.drafts import as_data, typed
from web.portals.espace_prive import wizard
from web.portals.mss import state

STARTED = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def test_a_draft_is_stored_as_json_data_and_read_back_the_same():
    draft = state.Draft(
        started=STARTED,
        fields={"uid": "000314159"},
        verification=state.Verification("f", 7, ["employer", "entry_year"], choices=["A"]),
        policy=state.Policy("2026-01", STARTED),
    )
    data = as_data(draft)
    assert data["started"] == "2026-12-02T09:30:00+00:00"
    assert data["verification"]["facts"] == ["employer", "entry_year"]
    assert typed(state.Draft, data) == draft


def test_an_untyped_mss_draft_is_migrated_and_an_old_verification_dropped():
    old = {
        "started": STARTED.isoformat(),
        "fields": {"email": "a@example.org"},
        "verification": {"fingerprint": "f", "member": 7, "facts": ["employer"], "step": 0,
                         "outcome": None},  # saved before the suggestions were kept
        "policy": {"version": "2026-01", "accepted_at": STARTED.isoformat()},
    }
    draft = typed(state.Draft, old)
    assert draft.version == state.Draft.VERSION and draft.started == STARTED
    assert draft.fields == {"email": "a@example.org"} and draft.verification is None
    assert draft.policy == state.Policy("2026-01", STARTED)


def test_an_untyped_espace_prive_draft_keeps_its_fields_apart():
    old = {"profile": "particulier", "identifier": "2 85 03", "password_seen": True,
           "verified": {"member": 3, "method": "iban", "fingerprint": "f",
                        "registry_email": False}}
    draft = typed(wizard.Draft, old)
    assert draft.fields == {"profile": "particulier", "identifier": "2 85 03"}
    assert draft.password_seen and draft.verified == wizard.Verified(3, "iban", "f", False)


def test_an_espace_prive_draft_of_version_1_keeps_its_answers_as_its_fields():
    old = {"version": 1, "started": STARTED.isoformat(), "answers": {"profile": "particulier"},
           "password_seen": True}
    draft = typed(wizard.Draft, old)
    assert draft.version == wizard.Draft.VERSION and draft.started == STARTED
    assert draft.fields == {"profile": "particulier"} and draft.password_seen


def test_a_shape_the_code_cannot_read_starts_a_new_draft():
    for data in ({"version": 99, "fields": {}}, {"version": 1, "unknown": 1},
                 {"version": 1, "started": "yesterday"}, ["not", "an", "object"]):
        assert typed(state.Draft, data).fields == {}, data
    assert typed(TypedLogins, {"login": "claire"}).login == "claire"
