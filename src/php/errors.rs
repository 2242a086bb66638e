//! Engine errors → PHP exceptions: `ValueError` for bad values, `TypeError` for wrong types,
//! `RuntimeException` for store/runtime trouble. Messages start with the function name, like
//! PHP's own.

use crate::engine::Error;
use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi::zend_class_entry;
use ext_php_rs::zend::{ce, ClassEntry};

fn runtime_exception_class() -> &'static ClassEntry {
    // Looked up at run time rather than linked: a data symbol must resolve at dlopen, and tools
    // such as `cargo php stubs` load the library outside PHP.
    let slot = crate::php::symbol::<*mut zend_class_entry>(c"spl_ce_RuntimeException");
    // SAFETY: SPL is always compiled into PHP 8 and registers this class before any extension
    // function can run; the pointer is then valid for the life of the process.
    unsafe { slot.as_ref().and_then(|class| class.as_ref()) }.unwrap_or_else(ce::exception)
}

pub fn value_error(function: &str, message: impl std::fmt::Display) -> PhpException {
    PhpException::new(format!("{function}(): {message}"), 0, ce::value_error())
}

pub fn type_error(function: &str, message: impl std::fmt::Display) -> PhpException {
    PhpException::new(format!("{function}(): {message}"), 0, ce::type_error())
}

pub fn runtime_error(function: &str, message: impl std::fmt::Display) -> PhpException {
    PhpException::new(
        format!("{function}(): {message}"),
        0,
        runtime_exception_class(),
    )
}

pub fn from_engine(function: &str, error: Error) -> PhpException {
    match error {
        Error::Invalid { field, reason } => value_error(function, format!("\"{field}\" {reason}")),
        Error::Config { setting, reason } => {
            runtime_error(function, format!("php.ini {setting}: {reason}"))
        }
        // A value the store refuses (a taken external_id) is bad input, like any other.
        Error::Store(e) if e.kind == crate::engine::store::StoreErrorKind::Conflict => {
            value_error(function, e.message)
        }
        other => runtime_error(function, other),
    }
}
