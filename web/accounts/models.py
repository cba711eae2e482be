"""Online accounts and their single-use tokens."""

from tortoise import fields
from tortoise.models import Model


class Account(Model):
    """A member's online account. ``password_state`` is ``pending`` (no password yet),
    ``provisional`` (must be changed at first log-in) or ``active``."""

    id = fields.IntField(primary_key=True)
    portal = fields.CharField(max_length=32)
    member = fields.ForeignKeyField("models.Member", related_name="accounts")
    login = fields.CharField(max_length=320, description="email (mss) or identifier")
    email = fields.CharField(max_length=320, default="")
    email_proved_at = fields.DatetimeField(
        null=True, description="when the member proved control of email (a code sent to it)"
    )
    mobile = fields.CharField(max_length=16, default="", description="E.164, or empty")
    password_hash = fields.CharField(max_length=255, default="")
    password_state = fields.CharField(max_length=16, default="pending")
    password_expires_at = fields.DatetimeField(null=True)
    policy_version = fields.CharField(max_length=32, default="")
    policy_accepted_at = fields.DatetimeField(null=True)
    language = fields.CharField(max_length=5, default="fr")
    created_at = fields.DatetimeField(auto_now_add=True)
    password_changed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account"
        unique_together = (("portal", "login"), ("portal", "member"))


class Token(Model):
    """A single-use link token, only its SHA-256 is stored."""

    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField("models.Account", related_name="tokens")
    purpose = fields.CharField(max_length=16, description="set_password or reset")
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "token"
        indexes = (("expires_at",),)  # purge
