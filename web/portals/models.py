"""Registrations in progress, kept server-side."""

from tortoise import fields
from tortoise.models import Model


class RegistrationDraft(Model):
    """what a visitor has entered so far, keyed by the hash of their cookie id and the portal."""

    key = fields.CharField(max_length=100, primary_key=True)
    portal = fields.CharField(max_length=32)
    data = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()

    class Meta:
        table = "registration_draft"
        indexes = (("expires_at",),)  # purge
