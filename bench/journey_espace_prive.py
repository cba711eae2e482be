"""The espace-prive journey for the benchmark: guide steps 1-7 and the first log-in, as a
member drives it (home → S'inscrire → … → member space), JS on and off.

Each run registers a demo member that has no account yet (one per run). The identifier form
refuses what is sent within 1.5 s of being shown (a robot), so the script pauses there.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from bench.journeys import Run, journey
from web.operations.demo import DemoMember
from web.portals.journey import MIN_FILL_SECONDS

KB = 1000
PORTAL = "espace-prive"
NEW_PASSWORD = "cactus harbour velvet thunder 64"  # noqa: S105 - the journey's new password
PROVISIONAL = re.compile(r"[a-z2-9]{4}(?:-[a-z2-9]{4}){6}")


def unregistered(run: Run) -> DemoMember:
    """A demo member with a Carte Vitale, an email and no account, unused by this bench run."""
    return run.unused(PORTAL, lambda m: (not m.has_account and m.email and m.facts["vitale_serial"]
                                         and m.facts["profile"] == "particulier"),
                      "unregistered demo member")


@journey("espace-prive register (guide 1–7) → first log-in → member space",
         budget_js=60 * KB, budget_nojs=40 * KB)
def register_then_log_in(page: Page, run: Run) -> None:
    member, t, screen = unregistered(run), run.t, run.screen(page)

    def next_step(label: str = "Next") -> None:
        screen.button(label).click()

    def heading(text: str) -> None:
        # the heading ends with the step's caption ("(step 2 of 7)")
        expect(screen.heading).to_contain_text(t(text))

    page.goto(f"{run.base_url}/{PORTAL}/")
    page.get_by_role("link", name=t("Register"), exact=True).click()  # in the header
    screen.labelled("Individual").check()
    next_step()
    heading("Your identifier")
    screen.textbox("Social security number", exact=False).fill(member.identifier)
    page.wait_for_timeout((MIN_FILL_SECONDS + 0.2) * 1000)  # not a robot
    next_step()
    heading("Your contact details")
    born = member.birth_date
    for label, value in [("Last name", member.last_name), ("First name", member.first_names),
                         ("Day", str(born.day)), ("Month", str(born.month)),
                         ("Year", str(born.year)), ("Email address", member.email)]:
        screen.textbox(label).fill(value)
    next_step()
    heading("Verification of your identity")
    screen.labelled("Yes").check()
    if not run.js:
        next_step()
    kind = "With a photo" if member.facts["vitale_kind"] == "photo" else "Without a photo"
    screen.labelled(kind).check()
    if not run.js:
        next_step()
    screen.textbox("Serial number of your Carte Vitale", exact=False).fill(
        member.facts["vitale_serial"])
    next_step()
    heading("Receive your password")
    next_step()
    heading("Accept the general terms of use")
    next_step("Finalise my registration by accepting the general terms of use")
    heading("Registration complete")
    mail = run.mailbox.newest(member.email)
    password = PROVISIONAL.search(mail.text).group(0)
    screen.main.get_by_role("link", name=re.compile(
        "^" + re.escape(t("Log in to %(site)s", site="")))).click()
    screen.textbox("Social security number", exact=False).fill(member.identifier)
    screen.textbox("Password").fill(password)
    screen.button("Log in").click()
    screen.textbox("New password").fill(NEW_PASSWORD)
    screen.textbox("Confirm the new password").fill(NEW_PASSWORD)
    next_step("Save my new password")
    expect(screen.heading).to_contain_text(member.first_names)
