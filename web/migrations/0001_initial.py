from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AttemptCounter',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200)),
                ('count', fields.IntField(default=0)),
                ('window_started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attempt_counter', 'app': 'models', 'pk_attr': 'key', 'table_description': 'Failures counted against a key (member, client address, account…).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('event', fields.CharField(max_length=64)),
                ('portal', fields.CharField(default='', max_length=32)),
                ('subject', fields.CharField(default='', description='hash of the subject', max_length=64)),
                ('client', fields.CharField(default='', description='hash of the client address', max_length=64)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'audit_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What happened, never with passwords, tokens or full identifiers.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('portal', fields.CharField(max_length=32)),
                ('identifier', fields.CharField(max_length=32)),
                ('last_name', fields.CharField(max_length=200)),
                ('first_names', fields.CharField(max_length=200)),
                ('birth_date', fields.DateField()),
                ('email', fields.CharField(default='', max_length=320)),
                ('mobile', fields.CharField(default='', max_length=32)),
                ('address', fields.TextField(default='', unique=False)),
                ('language', fields.CharField(default='fr', max_length=5)),
                ('facts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('imported_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'member', 'app': 'models', 'unique_together': (('portal', 'identifier'),), 'pk_attr': 'id', 'table_description': "One person in the fund's system of record, for one portal."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('portal', fields.CharField(max_length=32)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.CASCADE)),
                ('login', fields.CharField(description='email (mss) or identifier', max_length=320)),
                ('email', fields.CharField(default='', max_length=320)),
                ('password_hash', fields.CharField(default='', max_length=255)),
                ('password_state', fields.CharField(default='pending', max_length=16)),
                ('password_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('policy_version', fields.CharField(default='', max_length=32)),
                ('policy_accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('language', fields.CharField(default='fr', max_length=5)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('password_changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account', 'app': 'models', 'unique_together': (('portal', 'login'), ('portal', 'member')), 'pk_attr': 'id', 'table_description': "A member's online account. ``password_state`` is ``pending`` (no password yet),"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Letter',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('portal', fields.CharField(max_length=32)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='letters', on_delete=OnDelete.CASCADE)),
                ('address', fields.TextField(unique=False)),
                ('language', fields.CharField(max_length=5)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('exported_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'letter', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A postal letter with a provisional password, waiting to be printed and posted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMail',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('to', fields.CharField(max_length=320)),
                ('subject', fields.CharField(max_length=300)),
                ('text_body', fields.TextField(unique=False)),
                ('html_body', fields.TextField(unique=False)),
                ('template', fields.CharField(max_length=64)),
                ('language', fields.CharField(max_length=5)),
                ('status', fields.CharField(default='pending', max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_mail', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A rendered message waiting for (or done with) delivery.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RegistrationDraft',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=100)),
                ('portal', fields.CharField(max_length=32)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registration_draft', 'app': 'models', 'pk_attr': 'key', 'table_description': 'what a visitor has entered so far, keyed by the hash of their cookie id and the portal.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id_hash', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'session', 'app': 'models', 'pk_attr': 'id_hash', 'table_description': 'A logged-in session: the cookie holds a random id, the table its SHA-256.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Token',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharField(description='set_password or reset', max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A single-use link token, only its SHA-256 is stored.'},
            bases=['Model'],
        ),
    ]
