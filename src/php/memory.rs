//! Refuse a result that would not fit in PHP's `memory_limit`, with an exception the caller can
//! act on, instead of letting the allocator end the request (or, past the limit of the machine,
//! the process, before module shutdown can persist what it queued).

use crate::php::errors::runtime_error;
use ext_php_rs::exception::PhpException;
use ext_php_rs::zend::ExecutorGlobals;
use serde_json::Value;
use std::sync::atomic::AtomicPtr;

/// Roughly what a PHP array built from this JSON takes: zval/bucket overhead per element, string
/// headers and bytes.
pub fn estimate(value: &Value) -> usize {
    const ELEMENT: usize = 48;
    const STRING: usize = 32;
    match value {
        Value::String(s) => ELEMENT + STRING + s.len(),
        Value::Array(items) => ELEMENT + 64 + items.iter().map(estimate).sum::<usize>(),
        Value::Object(map) => {
            ELEMENT
                + 64
                + map
                    .iter()
                    .map(|(k, v)| STRING + k.len() + estimate(v))
                    .sum::<usize>()
        }
        _ => ELEMENT,
    }
}

/// `memory_limit` in bytes (None: unlimited or unreadable).
fn memory_limit() -> Option<usize> {
    let values = ExecutorGlobals::get().ini_values();
    let raw = values.get("memory_limit").cloned().flatten()?;
    parse_quantity(&raw)
}

pub fn parse_quantity(raw: &str) -> Option<usize> {
    let raw = raw.trim();
    let (digits, unit) = match raw.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&raw[..i], c.to_ascii_lowercase()),
        _ => (raw, ' '),
    };
    let n: i64 = digits.trim().parse().ok()?;
    if n < 0 {
        return None;
    }
    let factor: usize = match unit {
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        _ => 1,
    };
    (n as usize).checked_mul(factor)
}

type UsageFn = unsafe extern "C" fn(bool) -> usize;

fn memory_usage() -> Option<usize> {
    static CACHED: AtomicPtr<std::ffi::c_void> = AtomicPtr::new(std::ptr::null_mut());
    let found = crate::php::cached_symbol(&CACHED, c"zend_memory_usage");
    if found.is_null() {
        return None;
    }
    // SAFETY: PHP's exported `size_t zend_memory_usage(bool real_usage)`.
    Some(unsafe { std::mem::transmute::<*mut std::ffi::c_void, UsageFn>(found)(false) })
}

/// Err when building `value` as PHP arrays would pass `memory_limit`.
pub fn ensure_room(function: &str, value: &Value, advice: &str) -> Result<(), PhpException> {
    let (Some(limit), Some(used)) = (memory_limit(), memory_usage()) else {
        return Ok(());
    };
    let needed = estimate(value);
    if used.saturating_add(needed) > limit {
        return Err(runtime_error(
            function,
            format!(
                "the result needs about {} MB but only {} MB of memory_limit ({} MB) is left; {advice}",
                needed >> 20,
                limit.saturating_sub(used) >> 20,
                limit >> 20
            ),
        ));
    }
    Ok(())
}
