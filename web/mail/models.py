"""The mail outbox and the postal letters queue."""

from markupsafe import escape
from tortoise import fields
from tortoise.models import Model

SECRET_MARK = "[secret:"  # noqa: S105 - the start of a mark, no secret


def secret_mark(name: str) -> str:
    return f"{SECRET_MARK}{name}]"


class OutboxMail(Model):
    """A rendered message waiting for (or done with) delivery.

    ``status``: ``pending``, ``sent`` or ``dead``. The bodies hold a mark (``[secret:link]``)
    where a secret goes (a link with its token, a provisional password); the secrets are in
    ``secret`` until the mail is sent or dead, then erased (see web/mail/outbox.py).
    """

    id = fields.BigIntField(primary_key=True)
    to = fields.CharField(max_length=320)
    subject = fields.CharField(max_length=300)
    text_body = fields.TextField()
    html_body = fields.TextField()
    secret = fields.JSONField(null=True)
    template = fields.CharField(max_length=64)
    language = fields.CharField(max_length=5)
    status = fields.CharField(max_length=8, default="pending")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    def bodies(self) -> tuple[str, str]:
        """(text, HTML) with the secrets in place of their marks, while the mail has them."""
        text, html = self.text_body, self.html_body
        for name, value in (self.secret or {}).items():
            text = text.replace(secret_mark(name), value)
            html = html.replace(secret_mark(name), str(escape(value)))
        return text, html

    class Meta:
        table = "outbox_mail"
        indexes = (("status", "next_attempt_at"),)  # what the worker polls


class Letter(Model):
    """A postal letter with a provisional password, waiting to be printed and posted.

    The password is made when the letter is exported, so it is never stored in clear.
    """

    id = fields.BigIntField(primary_key=True)
    portal = fields.CharField(max_length=32)
    account = fields.ForeignKeyField("models.Account", related_name="letters")
    address = fields.TextField()
    language = fields.CharField(max_length=5)
    created_at = fields.DatetimeField(auto_now_add=True)
    exported_at = fields.DatetimeField(null=True)

    class Meta:
        table = "letter"
