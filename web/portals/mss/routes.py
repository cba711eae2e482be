"""The mss journey's routes, mounted under /mss (guide steps 2 to 9; step 1 and the log-in of
step 10 are the portal home and the account routes): each handler is in the module of its
guide step (``steps``); the page they share is ``page``, the draft's state ``state``."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.portals.mss.steps import confirmation, form, password, policy, register, security


def routes() -> list[BaseRoute]:
    get, post, both = ["GET"], ["POST"], ["GET", "POST"]
    return [
        Route("/register", register.register, methods=both, name="register"),
        Route("/register/save", form.save, methods=post, name="register_save"),
        Route("/register/security", security.security, methods=post, name="register_security"),
        Route("/register/verify", security.verify, methods=post, name="register_verify"),
        Route("/register/answer", security.answer, methods=post, name="register_answer"),
        Route("/register/policy", policy.policy, methods=both, name="register_policy"),
        Route("/register/uid", form.uid_help, methods=both, name="register_uid"),
        Route("/register/done", confirmation.done, methods=get, name="register_done"),
        Route("/register/resend", confirmation.resend, methods=post, name="register_resend"),
        Route("/register/email", confirmation.change_email, methods=both,
              name="register_email"),
        Route("/password/done", password.password_done, methods=get, name="password_done"),
        Route("/password/{token}", password.set_password, methods=both, name="set_password"),
        Route("/password/{token}/renew", password.renew_link, methods=post,
              name="set_password_renew"),
    ]
