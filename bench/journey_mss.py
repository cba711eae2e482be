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
    member, t, screen = unregistered(run), run.t, run.screen(page)
    main = screen.main
    page.goto(f"{run.base_url}/{PORTAL}/")
    screen.link("Register").click()
    shown = time.monotonic()
    born = member.birth_date
    for label, value in [("Unique identification number (UID)", member.identifier),
                         ("First name", member.first_names), ("Last name", member.last_name),
                         ("Day", str(born.day)), ("Month", str(born.month)),
                         ("Year", str(born.year)), ("Email address", member.email),
                         ("Confirm the email address", member.email)]:
        screen.textbox(label).fill(value)
    screen.button("Verify").click()
    country = Locale.parse(run.lang).territories[member.facts["duty_country"]]
    for number, answer in enumerate((member.facts["employer"], country), 1):
        expect(main.get_by_text(f"[{number} / 2]")).to_be_visible()
        main.locator("#answer").fill(answer)
        screen.button("Submit").click()
    expect(main.locator("#verified")).to_be_visible()
    screen.button("Read and accept").click()
    screen.button("Accept").click()
    expect(main.locator("#policy-accepted")).to_be_visible()
    time.sleep(max(0.0, 3.2 - (time.monotonic() - shown)))
    screen.button("Register").click()
    expect(screen.heading).to_have_text(t("Registration (1/2): your information"))
    mail = run.mailbox.newest(member.email)
    page.goto(next(link for link in mail.links if "/mss/password/" in link))
    screen.textbox("New password").fill(NEW_PASSWORD)
    screen.textbox("Confirm the new password").fill(NEW_PASSWORD)
    screen.button("Save my password").click()
    screen.link("Log in").click()
    screen.textbox("Email address").fill(member.email)
    screen.textbox("Password").fill(NEW_PASSWORD)
    screen.button("Log in").click()
    expect(screen.heading).to_contain_text(member.first_names)
