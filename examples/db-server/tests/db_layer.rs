//! The SQLite layer on its own: seeding, typed results, parameters, and the row, size and time
//! limits of reads.

mod support;

use std::time::Duration;

use db_server::db::{Database, DbError, Limits, TableKind};
use serde_json::json;
use support::open_seeded as open;

#[tokio::test]
async fn first_open_seeds_related_tables_and_reopening_keeps_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join("shop.sqlite3");
    let db = Database::open(&path).expect("open");
    let list = db.list_tables().await.expect("list");
    let names: Vec<&str> = list.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "customers",
            "order_items",
            "order_totals",
            "orders",
            "products"
        ]
    );
    assert_eq!(list.tables[2].kind, TableKind::View);
    assert_eq!(list.tables[0].row_count, Some(12));
    let joined = db
        .query(
            "SELECT c.name, count(DISTINCT o.id) FROM customers c \
             JOIN orders o ON o.customer_id = c.id GROUP BY c.id ORDER BY 2 DESC LIMIT 1"
                .into(),
            vec![],
            None,
        )
        .await
        .expect("join");
    assert_eq!(joined.row_count, 1);

    db.execute("DELETE FROM customers WHERE id = ?".into(), vec![json!(12)])
        .await
        .expect("delete a customer without orders");
    drop(db);

    let again = Database::open(&path).expect("reopen");
    let count = again
        .query("SELECT count(*) FROM customers".into(), vec![], None)
        .await
        .expect("count");
    assert_eq!(
        count.rows,
        vec![vec![json!(11)]],
        "not reseeded, change kept"
    );
}

#[tokio::test]
async fn results_are_typed_and_parameters_bound() {
    let (_dir, db) = open();
    let out = db
        .query(
            "SELECT ?1 AS i, ?2 AS r, ?3 AS t, ?4 AS b, ?5 AS n, 1e999 AS inf".into(),
            vec![
                json!(42),
                json!(1.5),
                json!("x"),
                json!({"base64": "AAH/"}),
                json!(null),
            ],
            None,
        )
        .await
        .expect("query");
    assert_eq!(out.columns, ["i", "r", "t", "b", "n", "inf"]);
    assert_eq!(
        out.rows,
        vec![vec![
            json!(42),
            json!(1.5),
            json!("x"),
            json!({"base64": "AAH/"}),
            json!(null),
            json!("Infinity")
        ]]
    );
    assert!(!out.truncated);
}

#[tokio::test]
async fn bad_parameters_are_explained() {
    let (_dir, db) = open();
    let err = db
        .query("SELECT ?, ?".into(), vec![json!(1)], None)
        .await
        .expect_err("count mismatch");
    assert_eq!(
        err,
        DbError::ParameterCount {
            expected: 2,
            given: 1
        }
    );
    let err = db
        .query("SELECT ?".into(), vec![json!([1])], None)
        .await
        .expect_err("array");
    assert!(
        matches!(err, DbError::BadParameter { index: 1, .. }),
        "{err:?}"
    );
    for empty in ["", "   ", "-- nothing"] {
        let err = db
            .query(empty.into(), vec![], None)
            .await
            .expect_err("empty");
        assert_eq!(err, DbError::Empty, "{empty:?}");
    }
    let err = db
        .query("SELEC 1".into(), vec![], None)
        .await
        .expect_err("syntax");
    assert!(err.to_string().contains("syntax error"), "{err}");
}

#[tokio::test]
async fn row_limit_truncates_and_says_so() {
    let (_dir, db) = open();
    let sql = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) SELECT x FROM n";
    let out = db.query(sql.into(), vec![], None).await.expect("query");
    assert_eq!(out.row_count, 500);
    assert!(out.truncated);
    let out = db.query(sql.into(), vec![], Some(3)).await.expect("query");
    assert_eq!(
        out.rows,
        vec![vec![json!(1)], vec![json!(2)], vec![json!(3)]]
    );
    assert!(out.truncated);
    let out = db
        .query("SELECT 1".into(), vec![], Some(3))
        .await
        .expect("query");
    assert!(!out.truncated);
}

#[tokio::test]
async fn large_results_are_cut_by_size_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = Limits {
        max_result_bytes: 1_000,
        ..Limits::default()
    };
    let db = Database::open_with_limits(dir.path().join("db"), limits).expect("open");
    let rows = |width: usize| {
        format!(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10) \
             SELECT x, printf('%.*c', {width}, 'a') FROM n"
        )
    };
    let out = db.query(rows(200), vec![], None).await.expect("query");
    // Each row costs its 200 bytes of text plus what holding the row and its values takes.
    assert_eq!(out.row_count, 3, "three 200-byte rows fit in 1000 bytes");
    assert!(out.truncated);
    // A first row that alone is larger is refused, not returned: with many wide columns one row
    // could otherwise take gigabytes to convert and send.
    let err = db
        .query(rows(5_000), vec![], None)
        .await
        .expect_err("row too large");
    assert!(matches!(err, DbError::Refused(_)), "{err:?}");
    assert!(err.to_string().contains("the first row alone"), "{err}");
    let out = db.query(rows(5), vec![], None).await.expect("query");
    assert_eq!(out.row_count, 10);
    assert!(!out.truncated);
}

#[tokio::test]
async fn a_long_query_is_interrupted_at_the_time_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = Limits {
        time_limit: Duration::from_millis(200),
        ..Limits::default()
    };
    let db = Database::open_with_limits(dir.path().join("db"), limits).expect("open");
    let started = std::time::Instant::now();
    let err = db
        .query(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
                .into(),
            vec![],
            None,
        )
        .await
        .expect_err("endless");
    assert_eq!(err, DbError::Timeout(Duration::from_millis(200)));
    assert!(started.elapsed() < Duration::from_secs(3));
    // The connection is still good afterwards.
    db.query("SELECT 1".into(), vec![], None)
        .await
        .expect("after");
}

#[test]
fn a_query_whose_caller_goes_away_is_interrupted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = Limits {
        time_limit: Duration::from_mins(1),
        ..Limits::default()
    };
    let db = Database::open_with_limits(dir.path().join("db"), limits).expect("open");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let gave_up = runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_millis(200),
            db.query(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
                    .into(),
                vec![],
                None,
            ),
        )
        .await
    });
    assert!(gave_up.is_err(), "the query cannot finish in 200 ms");
    // Shutting down waits for the blocking thread running the query: it must stop right away,
    // not after the one-minute time limit.
    let started = std::time::Instant::now();
    runtime.shutdown_timeout(Duration::from_secs(30));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the abandoned query kept running for {:?}",
        started.elapsed()
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_database_and_its_wal_are_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.sqlite3");
    let db = Database::open(&path).expect("open");
    db.execute("DELETE FROM customers WHERE id = ?".into(), vec![json!(12)])
        .await
        .expect("a write, so the WAL exists");
    for file in ["shop.sqlite3", "shop.sqlite3-wal", "shop.sqlite3-shm"] {
        let mode = std::fs::metadata(dir.path().join(file))
            .expect(file)
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
}

#[test]
fn a_corrupt_or_truncated_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.sqlite3");
    drop(Database::open(&good).expect("seeded"));
    let whole = std::fs::read(&good).expect("read");
    assert!(whole.len() > 3 * 4096, "several pages");
    let garbage: Vec<u8> = (0..8192_u32).map(|i| (i * 7 % 251) as u8).collect();
    for (name, content) in [
        ("garbage", garbage),
        (
            "truncated-mid-page",
            whole[..whole.len() / 2 + 100].to_vec(),
        ),
        ("truncated-at-page", whole[..2 * 4096].to_vec()),
        ("header-only", whole[..100].to_vec()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &content).expect("write");
        let err = Database::open(&path).expect_err(name);
        let message = err.to_string();
        assert!(
            message.contains(&path.display().to_string()),
            "{name}: {message}"
        );
        assert!(
            message.contains("is damaged or not a SQLite database")
                && message.contains("move it away"),
            "{name}: {message}"
        );
        assert_eq!(
            std::fs::read(&path).expect("read"),
            content,
            "{name} changed"
        );
        assert_eq!(
            support::files(dir.path())
                .iter()
                .filter(|f| f.starts_with(name))
                .count(),
            1,
            "{name}: no WAL or journal left behind"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_database_file_the_user_may_not_write_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    // The run as an unprivileged user (below) checks the file it was given.
    if let Some(path) = std::env::var_os(READ_ONLY_FILE_VAR) {
        assert_refused_as_read_only(std::path::Path::new(&path));
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.sqlite3");
    drop(Database::open(&path).expect("seeded"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).expect("chmod");
    if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
        // The superuser (as in CI) writes whatever the permissions say: check again as `nobody`.
        rerun_as_nobody(dir.path(), &path);
    } else {
        assert_refused_as_read_only(&path);
    }
}

/// Tells the run as `nobody` which file to check.
#[cfg(unix)]
const READ_ONLY_FILE_VAR: &str = "DB_LAYER_READ_ONLY_FILE";

#[cfg(unix)]
fn assert_refused_as_read_only(path: &std::path::Path) {
    let err = Database::open(path).expect_err("read-only file");
    assert!(
        err.to_string().contains("is read-only for this user"),
        "{err}"
    );
}

/// Runs this test again as `nobody` (uid 65534), owning `dir` and the read-only `file`.
#[cfg(unix)]
fn rerun_as_nobody(dir: &std::path::Path, file: &std::path::Path) {
    const NOBODY: u32 = 65_534;
    std::os::unix::fs::chown(dir, Some(NOBODY), Some(NOBODY)).expect("chown the directory");
    std::os::unix::fs::chown(file, Some(NOBODY), Some(NOBODY)).expect("chown the file");
    let test = std::env::current_exe().expect("this test binary");
    let run = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&test)
        .args([
            "--exact",
            "a_database_file_the_user_may_not_write_is_refused",
            "--test-threads=1",
        ])
        .env(READ_ONLY_FILE_VAR, file)
        .output()
        .unwrap_or_else(|e| {
            panic!("running as root, this test needs setpriv (util-linux) to check as nobody: {e}")
        });
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && stdout.contains("1 passed"),
        "as nobody: {}\n{stdout}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
}
