//! The read-only attack suite against a real PostgreSQL: every way a `query` statement could
//! outlive its rolled-back READ ONLY transaction, reach outside the database, or stall others is
//! tried, through the server's own connection as a SUPERUSER (the worst case: no privilege stops
//! anything, only the server's checks and the transaction do). Afterwards the database's rows and
//! catalog, the server's settings and its one pooled connection are exactly as before.
//!
//! Needs `MCP_TEST_DATABASE_URL` (see `pg_support`).

mod pg_support;

use std::time::Duration;

use db_server::db::{Database, DbError, Limits, PgOptions};
use serde_json::{Value, json};

/// Attacks and what each must NOT be able to do. Each must fail.
const ATTACKS: &[&str] = &[
    // Settings that would outlive the statement on a pooled connection.
    "SELECT set_config('search_path', 'evil', false)",
    "SELECT set_config('statement_timeout', '0', false)",
    "SELECT set_config('role', 'mcp_reader', false)",
    "SET statement_timeout = 0",
    "SET search_path = evil, pg_catalog",
    "RESET ALL",
    "SET SESSION AUTHORIZATION mcp_reader",
    "SELECT current_setting('search_path') FROM customers WHERE set_config('search_path', 'evil', false) IS NOT NULL",
    // Advisory locks (session-level ones survive ROLLBACK).
    "SELECT pg_advisory_lock(42)",
    "SELECT pg_try_advisory_lock(42)",
    "SELECT pg_catalog.pg_advisory_lock_shared(42)",
    "SELECT \"pg_advisory_lock\"(43)",
    "SELECT (SELECT pg_advisory_lock(44))",
    "SELECT 1 WHERE EXISTS (SELECT 1 WHERE pg_advisory_lock(45) IS NOT NULL)",
    "SELECT * FROM locker",
    "EXPLAIN ANALYZE SELECT pg_advisory_lock(46)",
    // Denial of service.
    "SELECT pg_sleep(30)",
    "SELECT * FROM pg_catalog.pg_sleep(30)",
    "SELECT count(*) FROM generate_series(1, 1000000000000)",
    "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
    // Other backends.
    "SELECT pg_cancel_backend(pid) FROM pg_stat_activity",
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()",
    // Server files, large objects, programs, second connections.
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_read_binary_file('/etc/passwd')",
    "SELECT pg_ls_dir('.')",
    "SELECT pg_stat_file('postgresql.conf')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT lo_get(1)",
    "SELECT lo_export(1, '/tmp/mcp-pg-attack')",
    "SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS t(x int)",
    "SELECT dblink_exec('dbname=postgres', 'CREATE TABLE pwned (x int)')",
    "COPY customers TO PROGRAM 'touch /tmp/mcp-pg-attack'",
    "COPY customers TO '/tmp/mcp-pg-attack'",
    "COPY (SELECT 1) TO STDOUT",
    // Notifications.
    "LISTEN channel",
    "NOTIFY channel",
    "SELECT pg_notify('channel', 'x')",
    "UNLISTEN *",
    // Sequences and transaction ids.
    "SELECT nextval('customers_id_seq')",
    "SELECT setval('customers_id_seq', 1)",
    "SELECT txid_current()",
    "SELECT pg_current_xact_id()",
    // Server administration.
    "SELECT pg_reload_conf()",
    "SELECT pg_switch_wal()",
    "SELECT pg_stat_reset()",
    "SELECT pg_rotate_logfile()",
    // SQL text run by a function, unseen by the plan.
    "SELECT query_to_xml('SELECT pg_advisory_lock(47)', true, true, '')",
    "SELECT ts_stat('SELECT to_tsvector(pg_advisory_lock(48)::text)')",
    // Code blocks, procedures, session objects.
    "DO $$ BEGIN PERFORM pg_advisory_lock(49); END $$",
    "CALL bump_stock()",
    "SELECT bump_stock_function()",
    "PREPARE sneaky AS SELECT 1",
    "DEALLOCATE ALL",
    "DISCARD ALL",
    "CREATE TEMP TABLE scratch (x int)",
    "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
    // A function shadowing a built-in's name from the user's schema.
    "SELECT lower(5::bigint)",
    // An operator whose function has side effects (the plan shows only `51 #+# 2`).
    "SELECT 51 #+# 2",
    // Writes and locks.
    "SELECT * FROM customers FOR UPDATE",
    "LOCK TABLE customers",
    "INSERT INTO customers (name, email, country, created_at) VALUES ('x', 'x@x', 'x', 'x') RETURNING id",
    "WITH gone AS (DELETE FROM order_items RETURNING *) SELECT count(*) FROM gone",
    "UPDATE products SET stock = 0",
    // Several statements, and comment tricks around the separator.
    "SELECT 1; DELETE FROM order_items",
    "SELECT 1 /* ; */ ; DELETE FROM order_items",
    "SELECT 1 -- x\n; DELETE FROM order_items",
    "SELECT ';' ; DELETE FROM order_items",
];

#[tokio::test]
async fn every_attack_through_query_fails_and_changes_nothing() {
    let Some(test_db) = pg_support::fresh_database("pg_read_only::every_attack").await else {
        return;
    };
    let limits = Limits {
        time_limit: Duration::from_secs(1),
        // One connection: every attack runs on the connection the checks look at afterwards.
        max_readers: 1,
        ..Limits::default()
    };
    let db = Database::connect_postgres(PgOptions::new(&test_db.url), limits)
        .await
        .expect("connect as the superuser");
    // What an attacker with a schema of their own could have prepared (as the superuser, since
    // the server's role is one here): a view hiding a call, a procedure and a function that write,
    // a function named like a built-in, an operator that locks, and dblink.
    test_db
        .admin
        .batch_execute(
            "CREATE EXTENSION IF NOT EXISTS dblink;
             CREATE VIEW locker AS SELECT pg_advisory_lock(50)::text AS locked;
             CREATE PROCEDURE bump_stock() LANGUAGE sql AS $$ UPDATE products SET stock = stock + 1 $$;
             CREATE FUNCTION bump_stock_function() RETURNS int LANGUAGE sql
                 AS $$ UPDATE products SET stock = stock + 1 RETURNING 1 $$;
             CREATE FUNCTION public.lower(bigint) RETURNS bigint LANGUAGE sql
                 AS $$ SELECT pg_advisory_lock($1)::text::bigint $$;
             CREATE FUNCTION public.lock_add(a int, b int) RETURNS int LANGUAGE plpgsql
                 AS $$ BEGIN PERFORM pg_advisory_lock(a); RETURN a + b; END $$;
             CREATE OPERATOR public.#+# (FUNCTION = lock_add, LEFTARG = int, RIGHTARG = int);",
        )
        .await
        .expect("attack fixtures");

    let rows_before = database_state(&test_db.admin).await;
    let session_before = session_state(&db).await;
    assert!(ATTACKS.len() >= 30);
    for attack in ATTACKS {
        let result = db.query((*attack).to_owned(), vec![], None).await;
        assert!(
            result.is_err(),
            "attack succeeded: {attack}\n  -> {result:?}"
        );
        // Each refusal names what went wrong: never an internal or connection error.
        if let Err(e) = &result {
            assert!(
                !matches!(e, DbError::Internal(_)),
                "{attack}: internal error {e}"
            );
        }
    }
    // The DoS attempts were stopped by the time limit, not by luck.
    for slow in [
        "SELECT count(*) FROM generate_series(1, 1000000000000)",
        "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
    ] {
        assert_eq!(
            db.query(slow.to_owned(), vec![], None).await,
            Err(DbError::Timeout(Duration::from_secs(1))),
            "{slow}"
        );
    }
    // The plan is what runs: PostgreSQL drops an EXISTS subquery's select list, so this call never
    // happens and the statement passes (the lock check below proves it took nothing).
    db.query(
        "SELECT 1 WHERE EXISTS (SELECT pg_advisory_lock(45))".to_owned(),
        vec![],
        None,
    )
    .await
    .expect("a call the plan never makes");
    // Reads still work, on the same connection, with the same settings.
    assert_eq!(session_state(&db).await, session_before);
    assert_eq!(database_state(&test_db.admin).await, rows_before);
    let locks: i64 = test_db
        .admin
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'",
            &[],
        )
        .await
        .expect("locks")
        .get(0);
    assert_eq!(locks, 0, "an advisory lock is held");
    assert!(
        !std::path::Path::new("/tmp/mcp-pg-attack").exists(),
        "a file was written"
    );
    drop(db);
    test_db.drop_database().await;
}

#[tokio::test]
async fn refusals_say_why() {
    let Some(test_db) = pg_support::fresh_database("pg_read_only::refusals_say_why").await else {
        return;
    };
    let db = Database::connect_postgres(PgOptions::new(&test_db.url), Limits::default())
        .await
        .expect("connect");
    let error = |sql: &str| {
        let db = db.clone();
        let sql = sql.to_owned();
        async move {
            db.query(sql, vec![], None)
                .await
                .expect_err("refused")
                .to_string()
        }
    };
    let lock = error("SELECT pg_advisory_lock(1)").await;
    assert!(
        lock.contains("`pg_advisory_lock`") && lock.contains("side effects"),
        "{lock}"
    );
    let set = error("SET work_mem = '1GB'").await;
    assert!(set.contains("returns none"), "{set}");
    let copy = error("COPY customers TO STDOUT").await;
    assert!(
        copy.contains("returns none") || copy.contains("cannot plan"),
        "{copy}"
    );
    assert_eq!(
        db.query("SELECT 1; SELECT 2".to_owned(), vec![], None)
            .await,
        Err(DbError::MultipleStatements)
    );
    let write = error(
        "INSERT INTO products (name, category, price_cents) VALUES ('a', 'b', 1) RETURNING id",
    )
    .await;
    assert!(
        write.contains("read-only") && write.contains("execute"),
        "{write}"
    );
    // Allowed: built-ins without side effects, volatile ones that only draw numbers or read the
    // clock, and catalog reads.
    let ok = db
        .query(
            "SELECT lower(name), length(email), coalesce(NULL, 1) AS one, random() < 2 AS r, \
             now() IS NOT NULL AS t, (SELECT count(*) FROM pg_settings) > 0 AS s \
             FROM customers WHERE id = $1"
                .to_owned(),
            vec![json!(1)],
            None,
        )
        .await
        .expect("an allowed query");
    assert_eq!(
        ok.rows,
        vec![vec![
            json!("ada lovelace"),
            json!(15),
            json!(1),
            json!(true),
            json!(true),
            json!(true)
        ]]
    );
    drop(db);
    test_db.drop_database().await;
}

#[tokio::test]
async fn a_query_whose_caller_goes_away_is_stopped() {
    let Some(test_db) = pg_support::fresh_database("pg_read_only::caller_goes_away").await else {
        return;
    };
    let limits = Limits {
        time_limit: Duration::from_secs(20),
        ..Limits::default()
    };
    let db = Database::connect_postgres(PgOptions::new(&test_db.url), limits)
        .await
        .expect("connect");
    let running = "SELECT count(*) FROM pg_stat_activity \
                   WHERE datname = current_database() AND state = 'active' \
                   AND pid <> pg_backend_pid() AND query LIKE '%generate_series%'";
    let slow = db.query(
        "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b"
            .to_owned(),
        vec![],
        None,
    );
    // The caller stops waiting after half a second (a client that disconnected).
    assert!(
        tokio::time::timeout(Duration::from_millis(500), slow)
            .await
            .is_err()
    );
    let mut still_running: i64 = -1;
    for _ in 0..40 {
        still_running = test_db
            .admin
            .query_one(running, &[])
            .await
            .expect("pg_stat_activity")
            .get(0);
        if still_running == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(still_running, 0, "the abandoned statement runs on");
    // The pool still serves.
    let out = db
        .query("SELECT count(*) FROM customers".to_owned(), vec![], None)
        .await
        .expect("a query after the cancel");
    assert_eq!(out.rows, vec![vec![json!(12)]]);
    drop(db);
    test_db.drop_database().await;
}

/// Every row of every table in `public`, the sequences, and the catalog's objects, roles and
/// server-wide settings, as text (seen from the superuser's own connection).
async fn database_state(admin: &tokio_postgres::Client) -> Vec<String> {
    let mut state = Vec::new();
    let tables: Vec<(String, bool)> = admin
        .query(
            "SELECT relname::text, relkind = 'S' FROM pg_class \
             WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S') ORDER BY relname",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for (table, sequence) in tables {
        let sql = if sequence {
            format!("SELECT last_value::text || ' ' || is_called::text FROM public.\"{table}\"")
        } else {
            format!(
                "SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') \
                 FROM public.\"{table}\" t"
            )
        };
        let digest: String = admin.query_one(&sql, &[]).await.expect("rows").get(0);
        state.push(format!("{table}: {digest}"));
    }
    for catalog in [
        "SELECT md5(string_agg(oid::text || relname || relkind::text, '|' ORDER BY oid)) FROM pg_class",
        "SELECT md5(string_agg(oid::text || proname::text, '|' ORDER BY oid)) FROM pg_proc",
        "SELECT md5(string_agg(rolname::text || rolsuper::text, '|' ORDER BY rolname)) FROM pg_roles",
        "SELECT count(*)::text FROM pg_largeobject_metadata",
        "SELECT md5(string_agg(name || '=' || setting, '|' ORDER BY name)) FROM pg_settings \
         WHERE source NOT IN ('session', 'client')",
        "SELECT count(*)::text FROM pg_prepared_xacts",
    ] {
        let digest: String = admin.query_one(catalog, &[]).await.expect(catalog).get(0);
        state.push(digest);
    }
    state
}

/// What the server's one pooled reader connection looks like from inside: its backend (not
/// killed and replaced), every setting, channels it listens on, prepared statements and cursors.
/// Settings of loadable modules (`plpgsql.…`) are left out: planning a statement that names a
/// PL/pgSQL function (the `#+#` operator) loads the language's library into the session, which
/// registers its settings at their defaults; that changes no value and runs no user code.
async fn session_state(db: &Database) -> Vec<Value> {
    let sql = "SELECT pg_backend_pid(), \
               (SELECT string_agg(name || '=' || setting, '|' ORDER BY name) FROM pg_settings \
                WHERE name NOT LIKE '%.%'), \
               (SELECT count(*) FROM pg_listening_channels()), \
               (SELECT count(*) FROM pg_prepared_statements), \
               (SELECT count(*) FROM pg_cursors), \
               current_user::text, session_user::text";
    let out = db
        .query(sql.to_owned(), vec![], None)
        .await
        .expect("session state");
    assert_eq!(out.rows[0][2], json!(0), "listening on a channel");
    out.rows.into_iter().next().expect("one row")
}
