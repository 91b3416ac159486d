-- 0001_base.sql: the ground every later migration stands on.
--
-- Roles (created by the operator or the dev scripts, not here, since roles
-- belong to the whole cluster):
--   portal_owner     owns the schema and runs migrations;
--   portal_app       the API's role: owns nothing, so row-level security
--                    applies to it, and it gets only the grants below;
--   portal_notifier  the notifier's role: the outbox and nothing else.

-- Nobody but the owner creates objects in public.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO portal_app, portal_notifier;

-- The migrations table is the owner's business alone.
REVOKE ALL ON schema_migrations FROM PUBLIC;

-- Trigram indexes make name search fast at a million patients.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The clinic of the current transaction, set by the API with
-- set_config('portal.clinic_id', ..., true). Row-level-security policies
-- compare clinic_id with it; without it they see nothing.
CREATE FUNCTION portal_current_clinic() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('portal.clinic_id', true), '')::uuid $$;

GRANT EXECUTE ON FUNCTION portal_current_clinic() TO portal_app;
