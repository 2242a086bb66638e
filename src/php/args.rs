//! Scalar arguments converted the way PHP converts them for its own functions (coercive mode:
//! `"1"` is an int, `1` a string, `1.0` an int), and refused with PHP's own wording plus the
//! function's name: `umw_get_webhook(): Argument #1 ($id) must be of type int, array given`.
//!
//! ext-php-rs refuses a value its conversion does not take with a generic message that names
//! neither the function nor the type given, so these types never refuse: they carry what went
//! wrong to the function, which throws. Their declared PHP type (reflection, stubs) stays the
//! scalar one.

use crate::php::convert::type_name;
use crate::php::errors::{type_error, value_error};
use ext_php_rs::convert::FromZval;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::Zval;

/// What was wrong with an argument.
#[derive(Debug, Clone)]
pub enum Bad {
    /// The type given (`array`, `object`, …) for a TypeError.
    Type(&'static str),
    /// A right-typed value that is still unusable, for a ValueError.
    Value(&'static str),
}

fn refuse(function: &str, argument: &str, expected: &str, bad: &Bad) -> PhpException {
    match bad {
        Bad::Type(given) => type_error(
            function,
            format!("Argument {argument} must be of type {expected}, {given} given"),
        ),
        Bad::Value(why) => value_error(function, format!("Argument {argument} {why}")),
    }
}

fn numeric(text: &str) -> Option<f64> {
    // PHP accepts leading and trailing whitespace in numeric strings.
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if t.is_empty() || t.eq_ignore_ascii_case("nan") || t.contains("inf") || t.contains("INF") {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// An `int` argument.
pub struct Int(Result<i64, Bad>);

impl Int {
    pub fn get(&self, function: &str, argument: &str) -> Result<i64, PhpException> {
        self.0
            .clone()
            .map_err(|bad| refuse(function, argument, "int", &bad))
    }
}

fn to_int(v: &Zval) -> Result<i64, Bad> {
    if let Some(i) = v.long() {
        return Ok(i);
    }
    if let Some(b) = v.bool() {
        return Ok(b as i64);
    }
    let integral = |f: f64| {
        (f.fract() == 0.0 && f >= i64::MIN as f64 && f <= i64::MAX as f64).then_some(f as i64)
    };
    if let Some(f) = v.double() {
        return integral(f).ok_or(Bad::Value("must be a whole number"));
    }
    if let Some(s) = v.str() {
        let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
        if let Ok(i) = t.parse::<i64>() {
            return Ok(i);
        }
        return numeric(s)
            .and_then(integral)
            .ok_or(Bad::Type("non-numeric string"));
    }
    Err(Bad::Type(type_name(v)))
}

impl<'a> FromZval<'a> for Int {
    const TYPE: DataType = DataType::Long;
    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let v = zval.dereference();
        (!v.is_null()).then(|| Int(to_int(v)))
    }
}

/// A `float` argument.
pub struct Float(Result<f64, Bad>);

impl Float {
    pub fn get(&self, function: &str, argument: &str) -> Result<f64, PhpException> {
        self.0
            .clone()
            .map_err(|bad| refuse(function, argument, "float", &bad))
    }
}

impl<'a> FromZval<'a> for Float {
    const TYPE: DataType = DataType::Double;
    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let v = zval.dereference();
        if v.is_null() {
            return None;
        }
        Some(Float(if let Some(f) = v.double() {
            Ok(f)
        } else if let Some(i) = v.long() {
            Ok(i as f64)
        } else if let Some(b) = v.bool() {
            Ok(b as i64 as f64)
        } else if let Some(s) = v.str() {
            numeric(s).ok_or(Bad::Type("non-numeric string"))
        } else {
            Err(Bad::Type(type_name(v)))
        }))
    }
}

/// A `bool` argument (PHP's truthiness for scalars).
pub struct Bool(Result<bool, Bad>);

impl Bool {
    pub fn get(&self, function: &str, argument: &str) -> Result<bool, PhpException> {
        self.0
            .clone()
            .map_err(|bad| refuse(function, argument, "bool", &bad))
    }
}

impl<'a> FromZval<'a> for Bool {
    const TYPE: DataType = DataType::Bool;
    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let v = zval.dereference();
        if v.is_null() {
            return None;
        }
        Some(Bool(if let Some(b) = v.bool() {
            Ok(b)
        } else if let Some(i) = v.long() {
            Ok(i != 0)
        } else if let Some(f) = v.double() {
            Ok(f != 0.0)
        } else if let Some(s) = v.str() {
            Ok(!(s.is_empty() || s == "0"))
        } else {
            Err(Bad::Type(type_name(v)))
        }))
    }
}

/// A `string` argument; ints and floats become their decimal text, as in PHP.
pub struct Str(Result<String, Bad>);

impl Str {
    pub fn get(&self, function: &str, argument: &str) -> Result<String, PhpException> {
        self.0
            .clone()
            .map_err(|bad| refuse(function, argument, "string", &bad))
    }
}

impl<'a> FromZval<'a> for Str {
    const TYPE: DataType = DataType::String;
    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let v = zval.dereference();
        if v.is_null() {
            return None;
        }
        Some(Str(if v.is_string() {
            match v.str() {
                Some(s) => Ok(s.to_string()),
                None => Err(Bad::Value("must be valid UTF-8")),
            }
        } else if let Some(i) = v.long() {
            Ok(i.to_string())
        } else if let Some(f) = v.double() {
            Ok(f.to_string())
        } else if let Some(b) = v.bool() {
            Ok(if b { "1".into() } else { String::new() })
        } else {
            Err(Bad::Type(type_name(v)))
        }))
    }
}

// Defaults (`#[php(defaults(..))]`): the value when omitted, and how stubs print it.

impl From<bool> for Bool {
    fn from(b: bool) -> Self {
        Bool(Ok(b))
    }
}

impl ext_php_rs::convert::StubLiteral for Bool {
    fn stub_literal(&self) -> String {
        matches!(self.0, Ok(true)).to_string()
    }
}

impl From<f64> for Float {
    fn from(f: f64) -> Self {
        Float(Ok(f))
    }
}

impl ext_php_rs::convert::StubLiteral for Float {
    fn stub_literal(&self) -> String {
        let f = self.0.clone().unwrap_or(0.0);
        if f.fract() == 0.0 {
            format!("{f:.1}")
        } else {
            f.to_string()
        }
    }
}
