//! The statement guard and SQLite together refusing what must never run: writes to the schema table
//! through `execute` (and the PRAGMA that would allow them), an index in another
//! schema, and `load_extension` in any case.

mod support;

use support::{dump, open_seeded as open};

#[tokio::test]
async fn execute_refuses_changes_to_the_schema_table_itself() {
    let (dir, db) = open();
    let file = dir.path().join(db_server::DATABASE_FILE);
    let before = dump(&file);
    // SQLite refuses any write to the schema table while `writable_schema` is off, and no policy
    // lets a PRAGMA through to turn it on.
    for (sql, refusal) in [
        ("DELETE FROM sqlite_master", "may not be modified"),
        (
            "DELETE FROM main.sqlite_schema WHERE name = 'orders'",
            "may not be modified",
        ),
        (
            "UPDATE sqlite_master SET sql = 'CREATE TABLE orders (x)' WHERE name = 'orders'",
            "may not be modified",
        ),
        (
            "INSERT INTO SQLITE_MASTER VALUES ('table', 'x', 'x', 0, 'CREATE TABLE x (y)')",
            "may not be modified",
        ),
        ("PRAGMA writable_schema = ON", "PRAGMA"),
    ] {
        let err = db.execute(sql.into(), vec![]).await.expect_err(sql);
        assert!(err.to_string().contains(refusal), "{sql}: {err}");
    }
    assert_eq!(dump(&file), before);
}

#[tokio::test]
async fn create_index_refuses_an_index_outside_the_main_database() {
    let (dir, db) = open();
    let file = dir.path().join(db_server::DATABASE_FILE);
    let before = dump(&file);
    for sql in [
        "CREATE INDEX temp.i ON orders(status)",
        "CREATE INDEX TEMP.i ON orders(status)",
    ] {
        // SQLite refuses a TEMP index on a main table while compiling (and no call can make a TEMP
        // table); the guard refuses any TEMP index too. Either way: refused, nothing written.
        let err = db.create_index(sql.into()).await.expect_err(sql);
        assert!(err.to_string().contains("TEMP"), "{sql}: {err}");
    }
    assert_eq!(dump(&file), before);
    db.create_index("CREATE INDEX main.i ON orders(status)".into())
        .await
        .expect("an index in main");
}

#[tokio::test]
async fn load_extension_is_refused_in_any_spelling() {
    let (_dir, db) = open();
    for name in ["load_extension", "LOAD_EXTENSION", "Load_Extension"] {
        let sql = format!("SELECT {name}('/tmp/evil.so')");
        let err = db.query(sql.clone(), vec![], None).await.expect_err(&sql);
        assert!(
            err.to_string().contains("load_extension() is disabled"),
            "{sql}: {err}"
        );
        let sql = format!("UPDATE products SET name = {name}('/tmp/evil.so')");
        let err = db.execute(sql.clone(), vec![]).await.expect_err(&sql);
        assert!(
            err.to_string().contains("load_extension() is disabled"),
            "{sql}: {err}"
        );
    }
}
