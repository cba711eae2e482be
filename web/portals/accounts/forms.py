"""The account forms: log-in, forgotten password, choose / change a password.

``ChoosePasswordForm`` (fields ``password`` and ``confirmation``) is what the
``accounts/choose_password.html`` macro renders; the journeys reuse both::

    form = ChoosePasswordForm(await read_form(request))
    if form.validate() and await form.check_policy(account, portal):
        await service.set_password(account, form.password.data, portal=portal, links=…)
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, ValidationError

from web.accounts import service
from web.accounts.models import Account
from web.accounts.passwords import Check, mismatch_message, password_requirements, same_password
from web.forms import Form, email_format, max_length, strip
from web.i18n import lazy_gettext
from web.registry.validation import compact, is_nir13, is_siret
from web.security.digests import keyed_digest

MAX_LOGIN = 320


def _email_login(*checks):
    return StringField(
        lazy_gettext("Email address"),
        [InputRequired(lazy_gettext("Enter your email address.")), max_length(MAX_LOGIN),
         *checks],
        filters=[strip],
    )


def _identifier_login(*checks):
    return StringField(
        lazy_gettext("Social security number"),
        [InputRequired(lazy_gettext("Enter your social security number.")), max_length(40),
         *checks],
        filters=[strip],
    )


def _identifier_format(form, field):
    """A social security number without its key, or a company's SIRET (spaces allowed)."""
    number = compact(field.data)
    if not (is_nir13(number) or is_siret(number)):
        raise ValidationError(lazy_gettext(
            "Enter the 13 characters of your social security number, without the 2-digit "
            "key, like 1 85 05 78 006 084."
        ))


def _password(label, required):
    return PasswordField(label, [InputRequired(required)])


class EmailLoginForm(Form):
    login = _email_login()
    password = _password(lazy_gettext("Password"), lazy_gettext("Enter your password."))


class IdentifierLoginForm(Form):
    login = _identifier_login()
    password = _password(lazy_gettext("Password"), lazy_gettext("Enter your password."))


class EmailForgotForm(Form):
    login = _email_login(email_format)


class IdentifierForgotForm(Form):
    login = _identifier_login(_identifier_format)


def login_form(portal, formdata=None) -> Form:
    """The log-in form of ``portal``: email + password (mss) or identifier + password."""
    kind = EmailLoginForm if portal.login_field == "email" else IdentifierLoginForm
    return kind(formdata)


def forgot_form(portal, formdata=None) -> Form:
    kind = EmailForgotForm if portal.login_field == "email" else IdentifierForgotForm
    return kind(formdata)


class ChoosePasswordForm(Form):
    """A new password and its confirmation; ``check_policy`` applies SPEC §5."""

    password = _password(lazy_gettext("New password"), lazy_gettext("Enter a password."))
    confirmation = _password(
        lazy_gettext("Confirm the new password"), lazy_gettext("Enter the new password again.")
    )

    @property
    def requirements(self) -> list[Check]:
        """The rules, not judged yet: the checklist shown before the member types."""
        return [Check(rule, None) for rule in password_requirements()]

    async def check_policy(self, account: Account, portal) -> bool:
        """Put the policy's reasons on the fields (all of them in one message, as the field
        shows one) and the mismatch on the confirmation; True when the password is accepted.
        Call after ``validate()`` succeeded."""
        reasons = await service.password_problems(account, portal, self.password.data)
        if reasons:
            self.password.errors = [" ".join(reasons)]
        elif not same_password(self.password.data, self.confirmation.data):
            self.confirmation.errors = [mismatch_message()]
        return not (self.password.errors or self.confirmation.errors)


class ChangePasswordForm(ChoosePasswordForm):
    current = _password(
        lazy_gettext("Current password"), lazy_gettext("Enter your current password.")
    )
    password = _password(lazy_gettext("New password"), lazy_gettext("Enter a password."))
    confirmation = _password(
        lazy_gettext("Confirm the new password"), lazy_gettext("Enter the new password again.")
    )


def feedback_key(request: Request, account: Account) -> str:
    """A signed reference to ``account`` for the live password feedback of a page without a
    session (a set- or reset-password link): pass it to the ``choose_password`` macro."""
    return f"{account.pk}.{_signature(request, account.pk)}"


async def feedback_account(request: Request, key: str) -> Account | None:
    account_id, _, signature = (key or "").partition(".")
    if not (account_id.isascii() and account_id.isdigit()) or len(account_id) > 12:
        return None
    expected = _signature(request, int(account_id))
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return await Account.get_or_none(pk=int(account_id))


def _signature(request: Request, account_id: int) -> str:
    secret = request.app.state.settings.secret_key
    return keyed_digest(secret, f"password-feedback:{account_id}")[:32]
