"""On PostgreSQL, a trigger refuses UPDATE and DELETE on audit rows (the model guards do the same
in Python on every database)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION access_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS access_auditentry_append_only ON access_auditentry;
CREATE TRIGGER access_auditentry_append_only BEFORE UPDATE OR DELETE ON access_auditentry
  FOR EACH ROW EXECUTE FUNCTION access_audit_append_only();
"""
# No TRUNCATE trigger: test databases are flushed with TRUNCATE between transactional tests.

DROP = """
DROP TRIGGER IF EXISTS access_auditentry_append_only ON access_auditentry;
DROP FUNCTION IF EXISTS access_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
