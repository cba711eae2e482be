"""The fund's registry: the records a registration must match."""

from tortoise import fields
from tortoise.models import Model


class Member(Model):
    """One person in the fund's system of record, for one portal.

    ``facts`` holds the verification facts the portal asks about:
    mss: ``employer``, ``duty_country``, ``entry_year``,
    espace-prive: ``profile``, ``health_affiliated``, ``vitale_serial``, ``vitale_kind``
    (``photo`` / ``no_photo``), ``iban``.
    """

    id = fields.IntField(primary_key=True)
    portal = fields.CharField(max_length=32)
    identifier = fields.CharField(max_length=32)
    last_name = fields.CharField(max_length=200)
    first_names = fields.CharField(max_length=200)
    birth_date = fields.DateField()
    email = fields.CharField(max_length=320, default="")
    mobile = fields.CharField(max_length=32, default="")
    address = fields.TextField(default="")
    language = fields.CharField(max_length=5, default="fr")
    facts = fields.JSONField(default=dict)
    imported_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "member"
        unique_together = (("portal", "identifier"),)

    def __str__(self) -> str:
        return f"{self.portal}:{self.identifier}"
