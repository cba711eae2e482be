from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_account_mobile')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['at']),
        ),
        ops.AddIndex(
            model_name='OutboxMail',
            index=Index(fields=['status', 'next_attempt_at']),
        ),
        ops.AddIndex(
            model_name='RegistrationDraft',
            index=Index(fields=['expires_at']),
        ),
        ops.AddIndex(
            model_name='Session',
            index=Index(fields=['last_seen_at']),
        ),
        ops.AddIndex(
            model_name='Token',
            index=Index(fields=['expires_at']),
        ),
    ]
