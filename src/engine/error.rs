//! The engine's error type: one enum for everything the PHP layer must turn into an exception.

use thiserror::Error;

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, Error)]
pub enum Error {
    /// Bad input; becomes a PHP `ValueError`. `field` names what was wrong.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The store could not be opened, read or written; becomes a `RuntimeException`.
    #[error(transparent)]
    Store(#[from] crate::engine::store::StoreError),
    /// The durable-emit spool could not be written; becomes a `RuntimeException`.
    #[error(transparent)]
    Spool(#[from] crate::engine::spool::SpoolError),
    /// A background-runtime problem (could not start threads, shut down).
    #[error("umw runtime: {0}")]
    Runtime(String),
    /// A php.ini setting that cannot be parsed.
    #[error("{setting}: {reason}")]
    Config {
        setting: &'static str,
        reason: String,
    },
}

impl Error {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
