"""The mss journey's routes, mounted under /mss (guide steps 2 to 9; step 1 and the log-in of
step 10 are the portal home and the account routes)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.portals.mss import confirmation, password, registration


def routes() -> list[BaseRoute]:
    return [
        Route("/register", registration.register_page, methods=["GET"]),
        Route("/register", registration.register_submit, methods=["POST"]),
        Route("/register/save", registration.save, methods=["POST"]),
        Route("/register/panel", registration.panel_fragment, methods=["POST"]),
        Route("/register/verify", registration.verify, methods=["POST"]),
        Route("/register/answer", registration.answer, methods=["POST"]),
        Route("/register/policy", registration.policy_page, methods=["GET"]),
        Route("/register/policy", registration.policy_submit, methods=["POST"]),
        Route("/register/uid", registration.uid_help, methods=["GET"]),
        Route("/register/uid", registration.uid_help_submit, methods=["POST"]),
        Route("/register/done", confirmation.done_page, methods=["GET"]),
        Route("/register/resend", confirmation.resend, methods=["POST"]),
        Route("/register/email", confirmation.change_email, methods=["GET", "POST"]),
        Route("/password/done", password.password_done, methods=["GET"]),
        Route("/password/{token}", password.set_password, methods=["GET", "POST"]),
        Route("/password/{token}/renew", password.renew_link, methods=["POST"]),
    ]
