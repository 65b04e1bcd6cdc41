-- FOLIO mod-notify's store for tenant "diku", as RMB builds it from the
-- module's src/main/resources/templates/db_scripts/schema.json
-- (notify_data: generateId, withMetadata, ginIndex) with RMB's
-- templates/db_scripts (main.ftl: the table; metadata.ftl: creation_date,
-- created_by and the metadata triggers; populate_id.ftl: the id in the
-- record).  The tenant's role is left out: the test connects as the
-- server's superuser.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SCHEMA diku_mod_notify;

CREATE TABLE IF NOT EXISTS diku_mod_notify.notify_data (
  id UUID PRIMARY KEY,
  jsonb JSONB NOT NULL
);
ALTER TABLE diku_mod_notify.notify_data
  ADD COLUMN IF NOT EXISTS creation_date timestamp,
  ADD COLUMN IF NOT EXISTS created_by text;

CREATE INDEX IF NOT EXISTS notify_data_idx_gin
  ON diku_mod_notify.notify_data USING gin (jsonb jsonb_path_ops);

CREATE OR REPLACE FUNCTION diku_mod_notify.notify_data_set_md()
RETURNS TRIGGER AS $$
BEGIN
  NEW.creation_date = to_timestamp(NEW.jsonb->'metadata'->>'createdDate',
      'YYYY-MM-DD"T"HH24:MI:SS.MS');
  NEW.created_by = NEW.jsonb->'metadata'->>'createdByUserId';
  RETURN NEW;
END;
$$ language 'plpgsql';
CREATE TRIGGER set_notify_data_md_trigger BEFORE INSERT
  ON diku_mod_notify.notify_data
  FOR EACH ROW EXECUTE PROCEDURE diku_mod_notify.notify_data_set_md();

CREATE OR REPLACE FUNCTION diku_mod_notify.set_notify_data_md_json()
RETURNS TRIGGER AS $$
DECLARE
  updatedDate timestamp WITH TIME ZONE;
  updatedBy text;
  dateFormat text := 'YYYY-MM-DD"T"HH24:MI:SS.MSOF';
  injectedMetadata jsonb;
BEGIN
  if NEW.creation_date IS NULL then
    RETURN NEW;
  end if;
  SET TIME ZONE 'UTC';
  updatedDate = NEW.jsonb->'metadata'->>'updatedDate';
  updatedBy = NEW.jsonb->'metadata'->>'updatedByUserId';
  injectedMetadata = jsonb_build_object(
      'createdByUserId', NEW.created_by,
      'createdDate', to_char(NEW.creation_date, dateFormat),
      'updatedDate', to_char(updatedDate, dateFormat));
  if updatedBy IS NOT NULL then
    injectedMetadata = jsonb_set(injectedMetadata, '{updatedByUserId}',
        to_jsonb(updatedBy));
  end if;
  NEW.jsonb = jsonb_set(NEW.jsonb, '{metadata}', injectedMetadata);
  RETURN NEW;
END;
$$ language 'plpgsql';
CREATE TRIGGER set_notify_data_md_json_trigger BEFORE UPDATE
  ON diku_mod_notify.notify_data
  FOR EACH ROW EXECUTE PROCEDURE diku_mod_notify.set_notify_data_md_json();

CREATE OR REPLACE FUNCTION diku_mod_notify.set_id_injson_notify_data()
RETURNS TRIGGER AS $$
BEGIN
  NEW.jsonb = jsonb_set(NEW.jsonb, '{id}', to_jsonb(NEW.id::text), true);
  RETURN NEW;
END;
$$ language 'plpgsql';
CREATE TRIGGER set_id_injson_notify_data BEFORE INSERT OR UPDATE
  ON diku_mod_notify.notify_data
  FOR EACH ROW EXECUTE PROCEDURE diku_mod_notify.set_id_injson_notify_data();
