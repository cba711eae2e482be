"""The espace-prive wizard's routes, mounted under /espace-prive: each handler is in the
module of its guide step (``steps``); the wizard's state is ``wizard``, its visit ``visit``."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.portals.espace_prive.steps import (
    contact,
    identifier,
    pages,
    password,
    policy,
    profile,
    verification,
)


def routes() -> list[BaseRoute]:
    both = ["GET", "POST"]
    return [
        Route("/register", pages.start, name="register"),
        Route("/register/profile", profile.profile, methods=both, name="register_profile"),
        Route("/register/contact-us", pages.contact_us, name="register_contact_us"),
        Route("/register/identifier", identifier.identifier, methods=both,
              name="register_identifier"),
        Route("/register/identifier/help", pages.identifier_help,
              name="register_identifier_help"),
        Route("/register/contact", contact.contact, methods=both, name="register_contact"),
        Route("/register/verification", verification.verification, methods=both,
              name="register_verification"),
        Route("/register/verification/choice/{question}", verification.choice,
              methods=["POST"], name="register_choice"),
        Route("/register/verification/{question}", verification.verification, methods=both,
              name="register_verification_question"),
        Route("/register/password", password.password, methods=both, name="register_password"),
        Route("/register/terms", policy.policy, methods=both, name="register_policy"),
        Route("/register/terms/read", pages.policy_read, name="register_policy_read"),
        Route("/register/done", pages.done, name="register_done"),
        Route("/register/already", pages.already, name="register_already"),
        Route("/register/abandon", pages.abandon, methods=both, name="register_abandon"),
    ]
