//! zval ↔ JSON and PHP arrays → engine input.
//!
//! Payloads are encoded by PHP's own JSON encoder (`php_json_encode_ex`), called directly: it is
//! the fastest encoder for zvals there is (no intermediate tree), and it gives exactly
//! `json_encode` semantics for objects, `JsonSerializable`, enums and floats. What it refuses
//! becomes a clear exception instead of a silently different payload.

use crate::php::cached_symbol;
use crate::php::errors::{type_error, value_error};
use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi::{zend_long, zend_string, zval};
use ext_php_rs::types::{ArrayKey, ZendHashTable, Zval};
use serde_json::Value;
use std::ffi::c_void;
use std::os::raw::c_int;
use std::sync::atomic::AtomicPtr;

#[repr(C)]
struct SmartStr {
    s: *mut zend_string,
    a: usize,
}

#[repr(C)]
struct JsonGlobals {
    encoder_depth: c_int,
    encode_max_depth: c_int,
    error_code: c_int,
}

type EncodeFn = unsafe extern "C" fn(*mut SmartStr, *mut zval, c_int, zend_long) -> c_int;

/// PHP's `php_json_encode_ex`, found at run time (see `crate::php::symbol`).
fn php_json_encode_ex() -> Option<EncodeFn> {
    static CACHED: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
    let found = cached_symbol(&CACHED, c"php_json_encode_ex");
    // SAFETY: a non-null address of the exported function with this C signature.
    (!found.is_null()).then(|| unsafe { std::mem::transmute::<*mut c_void, EncodeFn>(found) })
}

const HASH_FLAG_PACKED: u32 = 1 << 2;
const IS_UNDEF: u8 = 0;

/// Visit every live value of a table, reading its storage directly: one pass over contiguous
/// memory, no FFI call or key conversion per element (this runs on the emit hot path).
fn for_each_value(table: &ZendHashTable, mut f: impl FnMut(&Zval) -> bool) {
    // SAFETY: `table` is a live PHP array borrowed for this call. Its first `nNumUsed` slots
    // are initialised (deleted ones are IS_UNDEF); packed arrays store bare zvals, the others
    // Buckets whose first field is the zval.
    unsafe {
        let used = table.nNumUsed as usize;
        let packed = table.u.flags & HASH_FLAG_PACKED != 0;
        for i in 0..used {
            let value: *const zval = if packed {
                table.__bindgen_anon_1.arPacked.add(i)
            } else {
                std::ptr::addr_of!((*table.__bindgen_anon_1.arData.add(i)).val)
            };
            if (*value).u1.v.type_ == IS_UNDEF {
                continue;
            }
            if !f(&*(value as *const Zval)) {
                return;
            }
        }
    }
}

fn json_serializable_class() -> *mut ext_php_rs::ffi::zend_class_entry {
    static CACHED: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
    let slot = cached_symbol(&CACHED, c"php_json_serializable_ce")
        as *mut *mut ext_php_rs::ffi::zend_class_entry;
    // SAFETY: the json extension's exported class-entry pointer, set at its startup.
    unsafe { slot.as_ref().copied().unwrap_or(std::ptr::null_mut()) }
}

/// The json extension's globals (NTS), found at run time — see `crate::php::symbol`.
fn json_globals() -> *mut JsonGlobals {
    static CACHED: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
    cached_symbol(&CACHED, c"json_globals") as *mut JsonGlobals
}

const JSON_UNESCAPED_SLASHES: c_int = 64;
const JSON_UNESCAPED_UNICODE: c_int = 256;
const JSON_PRESERVE_ZERO_FRACTION: c_int = 1024;
const ENCODE_OPTIONS: c_int =
    JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION;
pub const MAX_DEPTH: zend_long = 512;
const IS_ARRAY: u32 = 7;

/// Why PHP's encoder refused a payload, and whether that is a type problem or a value problem.
fn json_error(code: c_int) -> (bool, &'static str) {
    match code {
        1 => (false, "is nested deeper than 512 levels"),
        5 => (false, "contains a string that is not valid UTF-8; convert it (mb_convert_encoding) or base64-encode binary data"),
        6 => (false, "contains a recursive reference (an array or object that contains itself)"),
        7 => (false, "contains NAN or INF, which JSON cannot represent; send null or a string instead"),
        8 => (true, "contains a resource or another value JSON cannot represent (e.g. a file handle); pass plain data"),
        9 => (false, "contains an object property name starting with a NUL byte"),
        10 => (false, "contains a malformed UTF-16 surrogate"),
        11 => (true, "contains a non-backed enum, which JSON cannot represent; use a backed enum or its name"),
        _ => (false, "cannot be encoded as JSON"),
    }
}

/// Whether a table holds arrays/objects nested more than `remaining` further levels down.
///
/// PHP's encoder checks the depth only on the way back up, so a value nested tens of thousands
/// of levels deep overflows the C stack before it is refused (`json_encode` itself crashes);
/// this bounded walk refuses it first. A table already on the path is recursion, which the
/// encoder reports itself; jsonSerialize() results are only known while encoding.
fn nests_deeper(
    table: &ZendHashTable,
    remaining: usize,
    path: &mut Vec<*const ZendHashTable>,
    has_objects: &mut bool,
) -> bool {
    let ptr = table as *const ZendHashTable;
    if path.contains(&ptr) {
        return false;
    }
    path.push(ptr);
    let mut deep = false;
    for_each_value(table, |v| {
        let v = v.indirect().unwrap_or(v).dereference();
        let child = if let Some(a) = v.array() {
            Some(a)
        } else if let Some(o) = v.object() {
            *has_objects = true;
            // SAFETY: a class entry valid for the process (or null).
            let serializable =
                unsafe { json_serializable_class().as_ref() }.is_some_and(|ce| o.instance_of(ce));
            let is_enum = o
                .get_class_entry()
                .flags()
                .contains(ext_php_rs::flags::ClassFlags::Enum);
            if serializable || is_enum {
                None
            } else {
                o.get_properties().ok()
            }
        } else {
            None
        };
        if child
            .is_some_and(|c| remaining == 0 || nests_deeper(c, remaining - 1, path, has_objects))
        {
            deep = true;
            return false;
        }
        true
    });
    path.pop();
    deep
}

/// Encode an array as JSON bytes, the way `json_encode` would (unescaped slashes and unicode),
/// into `into` (cleared first; a recycled buffer saves the emit path an allocation).
pub fn encode_array(
    function: &str,
    array: &ZendHashTable,
    max_bytes: usize,
    mut into: Vec<u8>,
) -> Result<Vec<u8>, PhpException> {
    // The top-level array is the first of the MAX_DEPTH levels json_encode accepts.
    // The path buffer is reused across calls so the emit hot path does not allocate for it.
    thread_local! {
        static PATH: std::cell::RefCell<Vec<*const ZendHashTable>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // Only objects run PHP code while encoding (jsonSerialize), so only then can an exception
    // be pending afterwards; plain arrays skip that check and its executor-globals lock.
    let mut has_objects = false;
    let too_deep = PATH.with(|path| match path.try_borrow_mut() {
        Ok(mut path) => {
            path.clear();
            nests_deeper(array, MAX_DEPTH as usize - 1, &mut path, &mut has_objects)
        }
        // The walk runs no PHP code, so it cannot re-enter; fall back rather than panic if it did.
        Err(_) => nests_deeper(
            array,
            MAX_DEPTH as usize - 1,
            &mut Vec::new(),
            &mut has_objects,
        ),
    });
    if too_deep {
        return Err(value_error(
            function,
            format!("Argument #2 ($payload) {}", json_error(1).1),
        ));
    }
    let mut buf = SmartStr {
        s: std::ptr::null_mut(),
        a: 0,
    };
    // SAFETY: a stack zval that borrows the caller's array (no refcount taken, none released);
    // the encoder only reads it and restores its recursion-protection flags before returning.
    // SAFETY: json_globals is the json extension's NTS globals block. The encoder reports some
    // errors (NAN, INF) only there, while still returning success, so it is read after the
    // call; the caller's own json_last_error() state is put back afterwards.
    let globals = json_globals();
    let encode = php_json_encode_ex();
    let (Some(encode), false) = (encode, globals.is_null()) else {
        return Err(crate::php::errors::runtime_error(
            function,
            "PHP's json extension is not available",
        ));
    };
    let previous_error = unsafe { std::ptr::addr_of!((*globals).error_code).read() };
    let status = unsafe {
        let mut value: zval = std::mem::zeroed();
        value.value.arr = array as *const ZendHashTable as *mut _;
        value.u1.type_info = IS_ARRAY;
        encode(&mut buf, &mut value, ENCODE_OPTIONS, MAX_DEPTH)
    };
    // SAFETY: the smart_str buffer was allocated by the encoder with emalloc; copy it out, free it.
    into.clear();
    let bytes = unsafe {
        if !buf.s.is_null() {
            let s = &*buf.s;
            into.extend_from_slice(std::slice::from_raw_parts(
                s.val.as_ptr() as *const u8,
                s.len,
            ));
            ext_php_rs::alloc::efree(buf.s as *mut u8);
        }
        into
    };
    // SAFETY: as above.
    let code = unsafe {
        let code = std::ptr::addr_of!((*globals).error_code).read();
        std::ptr::addr_of_mut!((*globals).error_code).write(previous_error);
        code
    };
    if has_objects && ext_php_rs::zend::ExecutorGlobals::has_exception() {
        // This exception is not thrown: the pending one (from jsonSerialize) keeps propagating.
        return Err(crate::php::errors::runtime_error(
            function,
            "the payload's jsonSerialize() threw",
        ));
    }
    if status != 0 || code != 0 {
        let (is_type, why) = json_error(code);
        let message = format!("Argument #2 ($payload) {why}");
        return Err(if is_type {
            type_error(function, message)
        } else {
            value_error(function, message)
        });
    }
    if bytes.len() > max_bytes {
        return Err(value_error(
            function,
            format!(
                "Argument #2 ($payload) is {} bytes as JSON, over umw.max_payload_bytes ({max_bytes}); send less data or an id the receiver can look up",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

/// A JSON value as a PHP value (objects become associative arrays).
pub fn json_to_zval(value: &Value) -> Zval {
    let mut zv = Zval::new();
    match value {
        Value::Null => zv.set_null(),
        Value::Bool(b) => zv.set_bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                zv.set_long(i)
            } else {
                zv.set_double(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::String(s) => {
            let _ = zv.set_string(s, false);
        }
        Value::Array(_) | Value::Object(_) => zv.set_hashtable(json_to_array(value)),
    }
    zv
}

/// A JSON object or list as a PHP array (for the declared `array` return types); a scalar
/// becomes an empty array.
pub fn json_to_array(value: &Value) -> ext_php_rs::boxed::ZBox<ZendHashTable> {
    match value {
        Value::Array(items) => {
            let mut ht = ZendHashTable::with_capacity(items.len() as u32);
            for item in items {
                let _ = ht.push(json_to_zval(item));
            }
            ht
        }
        Value::Object(map) => {
            let mut ht = ZendHashTable::with_capacity(map.len() as u32);
            for (k, v) in map {
                let _ = ht.insert(k.as_str(), json_to_zval(v));
            }
            ht
        }
        _ => ZendHashTable::new(),
    }
}

/// A PHP value as JSON, for small structured inputs (samples, headers); payloads use `encode_array`.
pub fn zval_to_json(value: &Zval, depth: usize) -> Option<Value> {
    if depth > 64 {
        return None;
    }
    let value = value.dereference();
    if value.is_null() {
        return Some(Value::Null);
    }
    if let Some(b) = value.bool() {
        return Some(Value::Bool(b));
    }
    if let Some(i) = value.long() {
        return Some(Value::from(i));
    }
    if let Some(f) = value.double() {
        return serde_json::Number::from_f64(f).map(Value::Number);
    }
    if let Some(s) = value.str() {
        return Some(Value::String(s.to_string()));
    }
    let array = value.array()?;
    if array.has_sequential_keys() {
        let items: Option<Vec<Value>> =
            array.values().map(|v| zval_to_json(v, depth + 1)).collect();
        return items.map(Value::Array);
    }
    let mut map = serde_json::Map::new();
    for (key, v) in array.iter() {
        map.insert(key_string(&key), zval_to_json(v, depth + 1)?);
    }
    Some(Value::Object(map))
}

pub fn key_string(key: &ArrayKey<'_>) -> String {
    match key {
        ArrayKey::Long(i) => i.to_string(),
        ArrayKey::String(s) => s.clone(),
        ArrayKey::Str(s) => s.to_string(),
        ArrayKey::ZendString(s) => s.as_str().map(str::to_string).unwrap_or_default(),
    }
}

/// Reads the keys of an options-style array, rejecting unknown keys and wrong types with
/// messages that name the key.
pub struct Fields<'a> {
    pub function: &'a str,
    pub what: &'a str,
    pub array: &'a ZendHashTable,
}

impl<'a> Fields<'a> {
    pub fn new(
        function: &'a str,
        what: &'a str,
        array: &'a ZendHashTable,
        allowed: &[&str],
    ) -> Result<Self, PhpException> {
        for (key, _) in array.iter() {
            let name = key_string(&key);
            if !allowed.contains(&name.as_str()) {
                return Err(value_error(
                    function,
                    format!(
                        "{what} has an unknown key \"{name}\"; allowed keys: {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(Fields {
            function,
            what,
            array,
        })
    }

    fn get(&self, key: &str) -> Option<&'a Zval> {
        self.array
            .get(key)
            .map(|v| v.dereference())
            .filter(|v| !v.is_null())
    }

    fn wrong(&self, key: &str, expected: &str, value: &Zval) -> PhpException {
        if value.is_string() && value.str().is_none() {
            return value_error(
                self.function,
                format!("{}[\"{key}\"] must be valid UTF-8 text", self.what),
            );
        }
        type_error(
            self.function,
            format!(
                "{}[\"{key}\"] must be {expected}, {} given",
                self.what,
                type_name(value)
            ),
        )
    }

    /// Absent: None; null: Some(None) (clear it); a string: Some(Some(..)).
    pub fn nullable_string(&self, key: &str) -> Result<Option<Option<String>>, PhpException> {
        match self.array.get(key).map(|v| v.dereference()) {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(Some(None)),
            Some(_) => Ok(Some(self.string(key)?)),
        }
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, PhpException> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| self.wrong(key, "a string", v)),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, PhpException> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => {
                if let Some(b) = v.bool() {
                    Ok(Some(b))
                } else if let Some(i) = v.long() {
                    // 0/1 from forms and databases are common; anything else is a mistake.
                    match i {
                        0 => Ok(Some(false)),
                        1 => Ok(Some(true)),
                        _ => Err(self.wrong(key, "a bool", v)),
                    }
                } else {
                    Err(self.wrong(key, "a bool", v))
                }
            }
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, PhpException> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .long()
                .map(Some)
                .ok_or_else(|| self.wrong(key, "an int", v)),
        }
    }

    /// A string or a list of strings.
    pub fn string_list(&self, key: &str) -> Result<Option<Vec<String>>, PhpException> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => {
                if let Some(s) = v.str() {
                    return Ok(Some(vec![s.to_string()]));
                }
                let array = v
                    .array()
                    .ok_or_else(|| self.wrong(key, "a string or a list of strings", v))?;
                let mut out = Vec::with_capacity(array.len());
                for item in array.values() {
                    let s = item
                        .dereference()
                        .str()
                        .ok_or_else(|| self.wrong(key, "a list of strings", item))?;
                    out.push(s.to_string());
                }
                Ok(Some(out))
            }
        }
    }

    /// A map of header name => value (a list of "Name: value" lines is accepted too).
    pub fn string_map(&self, key: &str) -> Result<Option<Vec<(String, String)>>, PhpException> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => {
                let array = v
                    .array()
                    .ok_or_else(|| self.wrong(key, "an array of name => value", v))?;
                let mut out = Vec::with_capacity(array.len());
                for (k, item) in array.iter() {
                    let item = item.dereference();
                    let value = if let Some(s) = item.str() {
                        s.to_string()
                    } else if let Some(i) = item.long() {
                        i.to_string()
                    } else {
                        return Err(self.wrong(key, "an array of string values", item));
                    };
                    match k {
                        ArrayKey::Long(_) => {
                            let (name, value) = value.split_once(':').ok_or_else(|| {
                                value_error(
                                    self.function,
                                    format!("{}[\"{key}\"] entries must be name => value or \"Name: value\"", self.what),
                                )
                            })?;
                            out.push((name.trim().to_string(), value.trim().to_string()));
                        }
                        other => out.push((key_string(&other), value)),
                    }
                }
                Ok(Some(out))
            }
        }
    }
}

pub fn type_name(value: &Zval) -> &'static str {
    let v = value.dereference();
    if v.is_null() {
        "null"
    } else if v.is_bool() {
        "bool"
    } else if v.is_long() {
        "int"
    } else if v.is_double() {
        "float"
    } else if v.is_string() {
        "string"
    } else if v.is_array() {
        "array"
    } else if v.is_object() {
        "object"
    } else if v.is_resource() {
        "resource"
    } else {
        "value"
    }
}
