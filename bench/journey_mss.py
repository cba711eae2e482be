"""The mss journey for the benchmark: guide steps 1-10 as a member drives them (home →
S'inscrire → form → security questions → policy → confirmation → email link → password → log
in → member space), JS on and off.

Each run registers a demo member that has no account yet (one per run). The form refuses a
registration sent within 3 s of being shown (a robot), so the script makes sure that much
time has passed, as it always has for a person.
"""

from __future__ import annotations

import time

from babel import Locale
from playwright.sync_api import Page, expect

from bench.journeys import Run, journey
from web.operations.demo import DemoMember

KB = 1000
PORTAL = "mss"
NEW_PASSWORD = "harbour cobalt lantern meadow 71"  # noqa: S105 - the journey's new password
RESERVED = {"000000042"}  # registered by no journey: bench/pages.py verifies it as a fragment


def unregistered(run: Run) -> DemoMember:
    return run.unused(PORTAL, lambda m: (not m.has_account and m.email
                                         and m.identifier not in RESERVED),
                      "unregistered demo member")


@journey("mss register (guide 1–10) → set password → log in → member space",
         budget_js=60 * KB, budget_nojs=40 * KB)
def register_then_log_in(page: Page, run: Run) -> None:
    member, t = unregistered(run), run.t
    main = page.get_by_role("main")

    def button(label: str):
        return main.get_by_role("button", name=t(label), exact=True)

    def textbox(label: str):
        return main.get_by_role("textbox", name=t(label), exact=True)

    page.goto(f"{run.base_url}/{PORTAL}/")
    main.get_by_role("link", name=t("Register"), exact=True).click()
    shown = time.monotonic()
    born = member.birth_date
    for label, value in [("Unique identification number (UID)", member.identifier),
                         ("First name", member.first_names), ("Last name", member.last_name),
                         ("Day", str(born.day)), ("Month", str(born.month)),
                         ("Year", str(born.year)), ("Email address", member.email),
                         ("Confirm the email address", member.email)]:
        textbox(label).fill(value)
    button("Verify").click()
    country = Locale.parse(run.lang).territories[member.facts["duty_country"]]
    for number, answer in enumerate((member.facts["employer"], country), 1):
        expect(main.get_by_text(f"[{number} / 2]")).to_be_visible()
        main.locator("#answer").fill(answer)
        button("Submit").click()
    expect(main.locator("#verified")).to_be_visible()
    button("Read and accept").click()
    button("Accept").click()
    expect(main.locator("#policy-accepted")).to_be_visible()
    time.sleep(max(0.0, 3.2 - (time.monotonic() - shown)))
    button("Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Registration (1/2): your information"))
    mail = run.mailbox.newest(member.email)
    page.goto(next(link for link in mail.links if "/mss/password/" in link))
    textbox("New password").fill(NEW_PASSWORD)
    textbox("Confirm the new password").fill(NEW_PASSWORD)
    button("Save my password").click()
    main.get_by_role("link", name=t("Log in"), exact=True).click()
    textbox("Email address").fill(member.email)
    textbox("Password").fill(NEW_PASSWORD)
    button("Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(member.first_names)
