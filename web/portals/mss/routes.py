"""The mss journey's routes, mounted under /mss (guide steps 2 to 9; step 1 and the log-in of
step 10 are the portal home and the account routes)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.portals.mss import confirmation, password, registration


def routes() -> list[BaseRoute]:
    get, post, both = ["GET"], ["POST"], ["GET", "POST"]
    return [
        Route("/register", registration.register_page, methods=get, name="register"),
        Route("/register", registration.register_submit, methods=post, name="register"),
        Route("/register/save", registration.save, methods=post, name="register_save"),
        Route("/register/panel", registration.panel_fragment, methods=post,
              name="register_panel"),
        Route("/register/verify", registration.verify, methods=post, name="register_verify"),
        Route("/register/answer", registration.answer, methods=post, name="register_answer"),
        Route("/register/policy", registration.policy_page, methods=get,
              name="register_policy"),
        Route("/register/policy", registration.policy_submit, methods=post,
              name="register_policy"),
        Route("/register/uid", registration.uid_help, methods=get, name="register_uid"),
        Route("/register/uid", registration.uid_help_submit, methods=post, name="register_uid"),
        Route("/register/done", confirmation.done_page, methods=get, name="register_done"),
        Route("/register/resend", confirmation.resend, methods=post, name="register_resend"),
        Route("/register/email", confirmation.change_email, methods=both,
              name="register_email"),
        Route("/password/done", password.password_done, methods=get, name="password_done"),
        Route("/password/{token}", password.set_password, methods=both, name="set_password"),
        Route("/password/{token}/renew", password.renew_link, methods=post,
              name="set_password_renew"),
    ]
