//! What the MySQL/MariaDB backend promises beyond the contract: concurrent claims from several
//! connections never take the same delivery, leases compare on the database's clock, and a
//! killed connection is survived. Run against the server `UMW_TEST_MYSQL_URL` names.

use crate::engine::store::location::StoreLocation;
use crate::engine::store::mysql::MysqlStore;

/// A store on its own table prefix (dropped when it goes), or None when no server is configured
/// (a failure instead when `UMW_REQUIRE_MYSQL=1`).
pub fn open_for_test(test: &str) -> Option<MysqlStore> {
    let url = match std::env::var("UMW_TEST_MYSQL_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => {
            assert!(
                std::env::var("UMW_REQUIRE_MYSQL").as_deref() != Ok("1"),
                "UMW_REQUIRE_MYSQL=1 but UMW_TEST_MYSQL_URL is not set: start a server with \
                 tests/mysql/server.sh start and eval \"$(tests/mysql/server.sh env)\""
            );
            return None;
        }
    };
    let prefix = format!("t{}_{test}_", std::process::id() % 100_000);
    let location = match StoreLocation::parse(&url, &prefix) {
        Ok(StoreLocation::Mysql(m)) => m,
        other => panic!("UMW_TEST_MYSQL_URL is not a mysql:// URL: {other:?}"),
    };
    let mut stale = MysqlStore::open(&location).unwrap_or_else(|e| panic!("{e}"));
    stale.drop_tables().unwrap_or_else(|e| panic!("{e}"));
    drop(stale);
    let mut store = MysqlStore::open(&location).unwrap_or_else(|e| panic!("{e}"));
    store.drop_tables_on_drop = true;
    Some(store)
}
