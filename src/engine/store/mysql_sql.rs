//! What the MySQL/MariaDB backend's modules share about SQL: decoding columns, statement shapes
//! for lists of values, and what a driver error means for the caller and the connection.

use crate::engine::store::{StoreError, StoreErrorKind};
use mysql::prelude::Queryable;
use mysql::{Row, Transaction, Value};

/// What goes wrong inside a store call: the driver's error or a row that does not decode.
pub(crate) enum Fault {
    Sql(mysql::Error),
    Data(String),
    /// The store refuses this (a conflict, a race to take the careful path for): kind and why.
    Refused(StoreErrorKind, String),
}

impl From<mysql::Error> for Fault {
    fn from(e: mysql::Error) -> Self {
        Fault::Sql(e)
    }
}

pub(crate) type Res<T> = std::result::Result<T, Fault>;

/// Column `idx` of a row, decoded; a NULL reads as `None` when `T` is an `Option`.
pub(crate) fn col<T: mysql::prelude::FromValue>(row: &mut Row, idx: usize) -> Res<T> {
    match row.take_opt::<T, usize>(idx) {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) => Err(Fault::Data(format!("column {idx}: {e}"))),
        None => Err(Fault::Data(format!("column {idx} is missing"))),
    }
}

/// `?, ?, …` for `n` values.
pub(crate) fn marks(n: usize) -> String {
    let mut out = String::with_capacity(n * 3);
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('?');
    }
    out
}

/// Statement shapes for lists of values: every list is sent in pieces of these lengths, so a
/// handful of prepared statements serve any list (the statement cache stays small and warm).
pub(crate) const PIECES: [usize; 3] = [64, 8, 1];

/// Split `0..n` into pieces of `PIECES` lengths, largest first, each within `budget` by `weight`.
pub(crate) fn pieces(
    n: usize,
    weight: impl Fn(usize) -> usize,
    budget: usize,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < n {
        let len = PIECES
            .iter()
            .copied()
            .find(|&len| {
                at + len <= n && (len == 1 || (at..at + len).map(&weight).sum::<usize>() <= budget)
            })
            .unwrap_or(1);
        out.push((at, len));
        at += len;
    }
    out
}

/// Values for an `IN (…)` list in pieces of the shared shapes, the last padded by repeating its
/// last value (which changes nothing in an `IN`).
pub(crate) fn id_pieces<T: Clone + Into<Value>>(ids: &[T]) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(PIECES[0]) {
        let len = PIECES
            .iter()
            .rev()
            .copied()
            .find(|&len| len >= chunk.len())
            .unwrap_or(PIECES[0]);
        let mut values: Vec<Value> = chunk.iter().cloned().map(Into::into).collect();
        while values.len() < len {
            values.push(values[values.len() - 1].clone());
        }
        out.push(values);
    }
    out
}

/// The rows of `sql`, whose list is written `IN ({in})`, for every piece of `ids` (each piece
/// bound after the values in `before`).
pub(crate) fn select_in<T: Clone + Into<Value>>(
    q: &mut impl Queryable,
    sql: &str,
    before: &[Value],
    ids: &[T],
) -> Res<Vec<Row>> {
    let mut rows = Vec::new();
    for piece in id_pieces(ids) {
        let statement = sql.replace("{in}", &marks(piece.len()));
        let args: Vec<Value> = before.iter().cloned().chain(piece).collect();
        rows.extend(q.exec::<Row, _, _>(statement, args)?);
    }
    Ok(rows)
}

/// `select_in` for a statement that changes rows: how many it changed (matched).
pub(crate) fn change_in<T: Clone + Into<Value>>(
    tx: &mut Transaction<'_>,
    sql: &str,
    before: &[Value],
    ids: &[T],
) -> Res<u64> {
    let mut changed = 0;
    for piece in id_pieces(ids) {
        let statement = sql.replace("{in}", &marks(piece.len()));
        let args: Vec<Value> = before.iter().cloned().chain(piece).collect();
        tx.exec_drop(statement, args)?;
        changed += tx.affected_rows();
    }
    Ok(changed)
}

/// Whether connecting failed because the server cannot be reached (down, restarting, full):
/// as opposed to refusing this client (credentials, database, version).
pub(crate) fn unreachable(e: &mysql::Error) -> bool {
    match e {
        mysql::Error::IoError(_) | mysql::Error::CodecError(_) => true,
        mysql::Error::DriverError(d) => matches!(
            d,
            mysql::DriverError::ConnectTimeout
                | mysql::DriverError::CouldNotConnect(_)
                | mysql::DriverError::Timeout
        ),
        mysql::Error::MySqlError(e) => {
            matches!(e.code, 1040 | 1053 | 1203 | 2002 | 2003 | 2006 | 2013)
        }
        _ => false,
    }
}

/// Whether an error leaves the connection unusable (it is dropped; the next call reconnects).
pub(crate) fn breaks_connection(e: &mysql::Error) -> bool {
    match e {
        mysql::Error::MySqlError(e) => matches!(
            e.code,
            // killed, server shutdown, too many connections, gone away, lost, net errors
            1053 | 1040
                | 1152
                | 1153
                | 1154
                | 1155
                | 1156
                | 1157
                | 1158
                | 1159
                | 1160
                | 1161
                | 1184
                | 1927
                | 2006
                | 2013
                | 4031
        ),
        mysql::Error::FromValueError(_) | mysql::Error::FromRowError(_) => false,
        _ => true,
    }
}

fn kind_of(e: &mysql::Error) -> StoreErrorKind {
    match e {
        mysql::Error::MySqlError(e) => match e.code {
            1062 | 1169 | 1586 => StoreErrorKind::Conflict,
            // read-only server or transaction, privileges
            1290 | 1792 | 1142 | 1143 | 1044 | 1227 | 1836 => StoreErrorKind::ReadOnly,
            1114 | 1021 => StoreErrorKind::Full,
            // deadlock, lock wait, access denied, unknown database, killed, shutdown, read-only
            // replica being promoted, too many connections
            1213 | 1205 | 1045 | 1049 | 1040 | 1053 | 1927 | 2006 | 2013 | 1317 | 4031 => {
                StoreErrorKind::Unavailable
            }
            _ => StoreErrorKind::Other,
        },
        mysql::Error::FromValueError(_) | mysql::Error::FromRowError(_) => StoreErrorKind::Corrupt,
        mysql::Error::UrlError(_) => StoreErrorKind::Other,
        _ => StoreErrorKind::Unavailable,
    }
}

pub(crate) fn store_error(location: &str, fault: Fault) -> StoreError {
    match fault {
        Fault::Sql(e) => {
            let kind = kind_of(&e);
            let message = match &e {
                mysql::Error::MySqlError(m) => format!("{} (MySQL error {})", m.message, m.code),
                other => other.to_string(),
            };
            StoreError::new(location, kind, message)
        }
        Fault::Refused(kind, message) => StoreError::new(location, kind, message),
        Fault::Data(message) => StoreError::new(
            location,
            StoreErrorKind::Corrupt,
            format!("unreadable row: {message}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_lists_with_few_shapes() {
        let cases = [
            (0, vec![]),
            (1, vec![1]),
            (9, vec![8, 1]),
            (75, vec![64, 8, 1, 1, 1]),
        ];
        for (n, lens) in cases {
            let got: Vec<usize> = pieces(n, |_| 1, usize::MAX).iter().map(|p| p.1).collect();
            assert_eq!(got, lens, "{n}");
        }
        // A byte budget makes pieces smaller.
        let got: Vec<usize> = pieces(16, |_| 100, 850).iter().map(|p| p.1).collect();
        assert_eq!(got, vec![8, 8]);
        let ids: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        let padded = id_pieces(&ids);
        assert_eq!(padded.iter().map(Vec::len).collect::<Vec<_>>(), vec![64]);
        assert_eq!(padded[0][63], Value::from("9"));
    }
}
