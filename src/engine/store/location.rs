//! Where the store is: `umw.store` parsed into a backend and its address.
//!
//! `umw.store` is an absolute path (SQLite) or a `mysql://` / `mariadb://` URL. So that a password
//! need not sit in a world-readable php.ini, the value may instead be `env:NAME` (read from that
//! environment variable) or `file:/path` (read from a file only the PHP user can read). Whatever
//! prints a location prints it with the password replaced by `***`.

use std::fmt;
use std::path::PathBuf;

/// The MySQL/MariaDB address, parsed from a URL.
#[derive(Clone, PartialEq, Eq)]
pub struct MysqlLocation {
    pub user: String,
    pub password: Option<String>,
    pub host: String,
    pub port: u16,
    pub database: String,
    /// A unix socket to connect through instead of TCP.
    pub socket: Option<String>,
    /// Table name prefix (`wp_umw_`, so the tables sit beside WordPress's own).
    pub table_prefix: String,
    /// Require TLS (`?ssl=1`); off for a socket or loopback.
    pub tls: bool,
}

#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    Sqlite { path: PathBuf },
    Mysql(MysqlLocation),
}

pub const DEFAULT_TABLE_PREFIX: &str = "wp_umw_";

impl StoreLocation {
    /// Shared by several hosts (not a file of this one).
    pub fn is_shared(&self) -> bool {
        matches!(self, StoreLocation::Mysql(_))
    }

    pub fn backend(&self) -> &'static str {
        match self {
            StoreLocation::Sqlite { .. } => "sqlite",
            StoreLocation::Mysql(_) => "mysql",
        }
    }

    /// Parse a `umw.store` value (after `env:`/`file:` indirection, see [`resolve`]).
    pub fn parse(value: &str, table_prefix: &str) -> Result<StoreLocation, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err("is empty: give an absolute path (SQLite) or a mysql:// URL".into());
        }
        if let Some(rest) = value
            .strip_prefix("mysql://")
            .or_else(|| value.strip_prefix("mariadb://"))
        {
            return parse_mysql(rest, table_prefix).map(StoreLocation::Mysql);
        }
        if value.contains("://") {
            return Err(format!(
                "{:?} is not a store: use an absolute path (SQLite) or mysql://user:pass@host/db",
                redact_url(value)
            ));
        }
        let path = PathBuf::from(value);
        if !path.is_absolute() {
            return Err(format!(
                "{value:?} is a relative path, which would depend on each process's working \
                 directory; give an absolute path, e.g. /var/lib/umw/umw.sqlite"
            ));
        }
        if path.file_name().is_none() || value.ends_with('/') {
            return Err(format!(
                "{value:?} names a directory; give the file, e.g. {value}/umw.sqlite"
            ));
        }
        Ok(StoreLocation::Sqlite { path })
    }
}

/// Follow `env:NAME` and `file:/path` to the value they hold.
pub fn resolve(value: &str, env: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let value = value.trim();
    if let Some(name) = value.strip_prefix("env:") {
        return env(name.trim())
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("environment variable {} is not set (umw.store=env:{name}); under PHP-FPM pass it with env[{name}] in the pool", name.trim()));
    }
    if let Some(path) = value.strip_prefix("file:") {
        return std::fs::read_to_string(path.trim())
            .map(|s| s.trim().to_string())
            .map_err(|e| format!("cannot read {} (umw.store=file:…): {e}", path.trim()));
    }
    Ok(value.to_string())
}

fn parse_mysql(rest: &str, table_prefix: &str) -> Result<MysqlLocation, String> {
    let example = "e.g. mysql://user:pass@127.0.0.1:3306/wordpress or mysql://user:pass@localhost/wordpress?socket=/run/mysqld/mysqld.sock";
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, database) = main
        .split_once('/')
        .ok_or_else(|| format!("the URL names no database; {example}"))?;
    let database = decode(database)?;
    if database.is_empty() || database.contains('/') {
        return Err(format!("the URL names no database; {example}"));
    }
    let (credentials, hostport) = authority
        .rsplit_once('@')
        .ok_or_else(|| format!("the URL names no user; {example}"))?;
    let (user, password) = match credentials.split_once(':') {
        Some((u, p)) => (decode(u)?, Some(decode(p)?)),
        None => (decode(credentials)?, None),
    };
    if user.is_empty() {
        return Err(format!("the URL names no user; {example}"));
    }
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| "unclosed [ in the host".to_string())?;
        (h.to_string(), after.strip_prefix(':').unwrap_or(""))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p),
            None => (hostport.to_string(), ""),
        }
    };
    let port = if port.is_empty() {
        3306
    } else {
        port.parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("port {port:?} is not a port number (1-65535)"))?
    };
    if host.is_empty() {
        return Err(format!("the URL names no host; {example}"));
    }
    let mut socket = None;
    let mut tls = false;
    let mut prefix = table_prefix.to_string();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value)?;
        match key {
            "socket" => socket = Some(value),
            "ssl" | "tls" => tls = matches!(value.as_str(), "1" | "true" | "on" | "required"),
            "prefix" => prefix = value,
            other => {
                return Err(format!(
                    "unknown URL option {other:?}; known: socket, ssl, prefix"
                ))
            }
        }
    }
    if prefix.is_empty()
        || prefix.len() > 32
        || !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(format!(
            "table prefix {prefix:?} must be 1-32 letters, digits or _ (default {DEFAULT_TABLE_PREFIX})"
        ));
    }
    Ok(MysqlLocation {
        user,
        password,
        host,
        port,
        database,
        socket,
        table_prefix: prefix,
        tls,
    })
}

fn decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| "a % in the URL is not followed by two hex digits".to_string())?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the URL decodes to invalid UTF-8".to_string())
}

/// A URL with any password replaced by `***` (for messages about values that failed to parse).
pub fn redact_url(value: &str) -> String {
    let Some((scheme, rest)) = value.split_once("://") else {
        return value.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split_once(':').map_or(credentials, |(u, _)| u);
            let hidden = if credentials.contains(':') {
                ":***"
            } else {
                ""
            };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => value.to_string(),
    }
}

impl fmt::Display for StoreLocation {
    /// Safe to print anywhere: never shows a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Sqlite { path } => write!(f, "{}", path.display()),
            StoreLocation::Mysql(m) => {
                let hidden = if m.password.is_some() { ":***" } else { "" };
                let host = if m.host.contains(':') {
                    format!("[{}]", m.host)
                } else {
                    m.host.clone()
                };
                // Through a socket the port means nothing: leave it out.
                match &m.socket {
                    Some(_) => write!(f, "mysql://{}{hidden}@{host}/{}", m.user, m.database)?,
                    None => write!(
                        f,
                        "mysql://{}{hidden}@{host}:{}/{}",
                        m.user, m.port, m.database
                    )?,
                }
                let mut sep = '?';
                if let Some(socket) = &m.socket {
                    write!(f, "{sep}socket={socket}")?;
                    sep = '&';
                }
                if m.tls {
                    write!(f, "{sep}ssl=1")?;
                    sep = '&';
                }
                if m.table_prefix != DEFAULT_TABLE_PREFIX {
                    write!(f, "{sep}prefix={}", m.table_prefix)?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Debug for MysqlLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&StoreLocation::Mysql(self.clone()), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mysql(v: &str) -> MysqlLocation {
        match StoreLocation::parse(v, DEFAULT_TABLE_PREFIX).unwrap() {
            StoreLocation::Mysql(m) => m,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn paths_and_urls() {
        assert_eq!(
            StoreLocation::parse("/var/lib/umw/umw.sqlite", "x").unwrap(),
            StoreLocation::Sqlite {
                path: "/var/lib/umw/umw.sqlite".into()
            }
        );
        let m = mysql("mysql://wp:s%40cret@db.internal:3307/wordpress");
        assert_eq!(
            (
                m.user.as_str(),
                m.password.as_deref(),
                m.host.as_str(),
                m.port,
                m.database.as_str()
            ),
            ("wp", Some("s@cret"), "db.internal", 3307, "wordpress")
        );
        assert_eq!(m.table_prefix, "wp_umw_");
        let m = mysql("mariadb://wp@localhost/wp?socket=/run/mysqld/mysqld.sock&prefix=wp2_umw_");
        assert_eq!(m.socket.as_deref(), Some("/run/mysqld/mysqld.sock"));
        assert_eq!(
            (m.port, m.password, m.table_prefix.as_str()),
            (3306, None, "wp2_umw_")
        );
        assert_eq!(mysql("mysql://u:p@[::1]:3306/d").host, "::1");
        assert!(mysql("mysql://u:p@h/d?ssl=1").tls);
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        let cases: &[(&str, &str)] = &[
            ("", "is empty"),
            ("   ", "is empty"),
            ("umw.sqlite", "relative path"),
            ("./x/umw.sqlite", "relative path"),
            ("/var/lib/umw/", "names a directory"),
            ("postgres://u:p@h/d", "is not a store"),
            ("mysql://u:p@h", "no database"),
            ("mysql://h/d", "no user"),
            ("mysql://u:p@h:0/d", "not a port"),
            ("mysql://u:p@h:99999/d", "not a port"),
            ("mysql://u:p@h/d?sockt=/x", "unknown URL option"),
            ("mysql://u:p@h/d?prefix=a-b", "table prefix"),
            ("mysql://u:p%zz@h/d", "hex digits"),
        ];
        for (value, expected) in cases {
            let err = StoreLocation::parse(value, DEFAULT_TABLE_PREFIX).unwrap_err();
            assert!(err.contains(expected), "{value:?}: {err}");
            assert!(!err.contains(":p@"), "password leaked: {err}");
        }
    }

    #[test]
    fn passwords_never_print() {
        let loc =
            StoreLocation::parse("mysql://wp:hunter2@db:3306/wp?socket=/s", "wp_umw_").unwrap();
        for text in [loc.to_string(), format!("{loc:?}")] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("wp:***@db/wp?socket=/s"), "{text}");
        }
        assert_eq!(redact_url("mysql://a:b@c/d"), "mysql://a:***@c/d");
        assert_eq!(redact_url("/plain/path"), "/plain/path");
    }

    #[test]
    fn indirection_through_env_and_file() {
        let env = |name: &str| (name == "UMW_DB").then(|| "mysql://a:b@c/d".to_string());
        assert_eq!(resolve("env:UMW_DB", env).unwrap(), "mysql://a:b@c/d");
        assert!(resolve("env:MISSING", env).unwrap_err().contains("MISSING"));
        let dir = std::env::temp_dir().join(format!("umw-loc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("store-url");
        std::fs::write(&file, "mysql://x:y@h/db\n").unwrap();
        assert_eq!(
            resolve(&format!("file:{}", file.display()), env).unwrap(),
            "mysql://x:y@h/db"
        );
        assert!(resolve("file:/nonexistent/umw", env).is_err());
        assert_eq!(
            resolve("/var/lib/umw/umw.sqlite", env).unwrap(),
            "/var/lib/umw/umw.sqlite"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
