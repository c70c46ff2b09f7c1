-- The recommended two-role setup for db-server on PostgreSQL (see README.md, "PostgreSQL").
-- Run it once as a superuser (or the database's owner), in the database the server will use:
--
--   psql -d shopdb -v ON_ERROR_STOP=1 -f examples/db-server/postgres-roles.sql
--   psql -d shopdb -c "ALTER ROLE mcp_writer PASSWORD '…'" -c "ALTER ROLE mcp_reader PASSWORD '…'"
--
-- then start the server with both URLs and the schema:
--
--   db-server --database-url postgres://mcp_writer:…@host/shopdb \
--             --database-reader-url postgres://mcp_reader:…@host/shopdb --database-schema shop
--
-- The writer owns schema `shop` (the server creates the sample tables there when it is empty) and
-- runs execute and the create_/drop_ tools. The reader may only read: USAGE on the schema and
-- SELECT on its tables, now and later; its sessions start read-only. Neither is a superuser, so
-- neither can read server files, run programs, or signal other roles' sessions.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'mcp_writer') THEN
    CREATE ROLE mcp_writer LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'mcp_reader') THEN
    CREATE ROLE mcp_reader LOGIN;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO mcp_writer, mcp_reader', current_database());
  -- No temporary tables for anyone who is not granted them explicitly.
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;

CREATE SCHEMA IF NOT EXISTS shop AUTHORIZATION mcp_writer;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

GRANT USAGE ON SCHEMA shop TO mcp_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA shop TO mcp_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE mcp_writer IN SCHEMA shop GRANT SELECT ON TABLES TO mcp_reader;
ALTER ROLE mcp_reader SET default_transaction_read_only = on;

-- Session-level advisory locks outlive a rolled-back transaction. The server refuses them in
-- `query` already; this takes them from every role in this database that is not a superuser (the
-- server itself only uses the transaction-level pg_advisory_xact_lock). Leave it out if other
-- applications in this database need them.
REVOKE EXECUTE ON FUNCTION
  pg_catalog.pg_advisory_lock(bigint), pg_catalog.pg_advisory_lock(integer, integer),
  pg_catalog.pg_advisory_lock_shared(bigint), pg_catalog.pg_advisory_lock_shared(integer, integer),
  pg_catalog.pg_try_advisory_lock(bigint), pg_catalog.pg_try_advisory_lock(integer, integer),
  pg_catalog.pg_try_advisory_lock_shared(bigint),
  pg_catalog.pg_try_advisory_lock_shared(integer, integer)
FROM PUBLIC;
