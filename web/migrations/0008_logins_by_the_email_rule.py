"""The mss log-ins (an email) in the form of the one email rule (normalize_email): they were
casefolded. An account whose new form another account already has keeps its old one (support
sorts it out). Plain SQL: the models' queries would be cached for this database's dialect."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from web.registry.matching import normalize_email


async def renormalize_logins(apps, schema_editor) -> None:
    connection = schema_editor.client
    one, two = ("$1", "$2") if connection.capabilities.dialect == "postgres" else ("?", "?")
    rows = await connection.execute_query_dict(
        "SELECT id, portal, login, email FROM account WHERE login LIKE '%@%'"
    )
    taken = {(row["portal"], row["login"]) for row in rows}
    for row in rows:
        login = normalize_email(row["email"] or row["login"])
        if (row["portal"], login) not in taken:
            await connection.execute_query(
                f"UPDATE account SET login = {one} WHERE id = {two}", [login, row["id"]]
            )
            taken.add((row["portal"], login))


class Migration(migrations.Migration):
    dependencies = [('models', '0007_outbox_mail_secret')]

    initial = False

    operations = [
        ops.RunPython(renormalize_logins, reverse_code=None),
    ]
