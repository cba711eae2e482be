"""Server-side sessions, attempt counters and the audit log."""

from tortoise import fields
from tortoise.models import Model


class Session(Model):
    """A logged-in session: the cookie holds a random id, the table its SHA-256."""

    id_hash = fields.CharField(max_length=64, primary_key=True)
    account = fields.ForeignKeyField("models.Account", related_name="sessions")
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()

    class Meta:
        table = "session"
        indexes = (("last_seen_at",),)  # purge


class AttemptCounter(Model):
    """Failures counted against a key (member, client address, account…)."""

    key = fields.CharField(max_length=200, primary_key=True)
    count = fields.IntField(default=0)
    window_started_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)
    pending = fields.IntField(default=0, description="attempts admitted, not reported yet")
    pending_until = fields.DatetimeField(null=True, description="when those count as failures")

    class Meta:
        table = "attempt_counter"


class AuditEvent(Model):
    """What happened, never with passwords, tokens or full identifiers."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True)
    event = fields.CharField(max_length=64)
    portal = fields.CharField(max_length=32, default="")
    subject = fields.CharField(max_length=64, default="", description="hash of the subject")
    client = fields.CharField(max_length=64, default="", description="hash of the client address")
    request_id = fields.CharField(max_length=64, default="", description="as in the log lines")
    detail = fields.JSONField(default=dict)

    class Meta:
        table = "audit_event"
        indexes = (("at",),)  # purge
