//! Standard Webhooks v1 signatures: secret generation and decoding, signing
//! outgoing deliveries, and verifying a `webhook-signature` header.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SECRET_PREFIX: &str = "whsec_";

/// Bounds on the decoded key; below 24 bytes a key is too guessable, above 64
/// it exceeds SHA-256's block size and would only be hashed down anyway.
pub const MIN_KEY_BYTES: usize = 24;
pub const MAX_KEY_BYTES: usize = 64;
const GENERATED_KEY_BYTES: usize = 32;

/// SHA-256's block size: HMAC zero-pads shorter keys and hashes longer ones to it.
const HMAC_BLOCK_BYTES: usize = 64;

/// Secrets are copied by hand between dashboards and config files, and some
/// tools drop the trailing `=`; accepting both forms avoids a confusing failure.
const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

type HmacSha256 = Hmac<Sha256>;

// The messages deliberately never interpolate the secret: they end up in PHP
// exceptions and logs, where a leaked signing key would defeat its purpose.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error(
        "a webhook secret must start with \"whsec_\" followed by base64 of 24 to 64 random bytes"
    )]
    MissingPrefix,
    #[error(
        "the part of the webhook secret after \"whsec_\" is not valid standard base64; \
         a webhook secret must be \"whsec_\" followed by base64 of 24 to 64 random bytes"
    )]
    NotBase64,
    #[error(
        "the webhook secret decodes to {bytes} bytes, but a webhook secret must be \"whsec_\" \
         followed by base64 of 24 to 64 random bytes; generate a new one"
    )]
    WrongLength { bytes: usize },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("no v1 signature in the header matches the payload")]
    NoMatchingSignature,
    #[error("the webhook timestamp is too old (outside the allowed tolerance)")]
    TimestampTooOld,
    #[error("the webhook timestamp is too far in the future (outside the allowed tolerance)")]
    TimestampTooNew,
    #[error(transparent)]
    BadSecret(#[from] SecretError),
}

/// Like [`generate_secret`], but reports an unavailable OS RNG instead of
/// panicking, for callers that must never unwind.
pub fn try_generate_secret() -> Result<String, rand::Error> {
    let mut key = [0u8; GENERATED_KEY_BYTES];
    OsRng.try_fill_bytes(&mut key)?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(key)))
}

/// "whsec_" + standard base64 (with padding) of 32 bytes from the OS RNG.
///
/// # Panics
/// Only if the operating system's random source fails; there is no safe way
/// to produce a secret then. Use [`try_generate_secret`] to handle that case.
pub fn generate_secret() -> String {
    let mut key = [0u8; GENERATED_KEY_BYTES];
    OsRng.fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// Decode the key: strip "whsec_", base64-decode (standard alphabet, padding
/// optional), require 24..=64 bytes.
pub fn decode_secret(secret: &str) -> Result<Vec<u8>, SecretError> {
    let encoded = secret
        .strip_prefix(SECRET_PREFIX)
        .ok_or(SecretError::MissingPrefix)?;
    let key = LENIENT_STANDARD
        .decode(encoded)
        .map_err(|_| SecretError::NotBase64)?;
    if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&key.len()) {
        return Err(SecretError::WrongLength { bytes: key.len() });
    }
    Ok(key)
}

/// `Mac::new_from_slice` returns a `Result` even though HMAC accepts any key
/// length. Normalising the key to one block ourselves (exactly as RFC 2104
/// does) lets us use the infallible constructor and keep this path panic-free.
fn keyed_mac(key: &[u8]) -> HmacSha256 {
    let hashed;
    let source = if key.len() > HMAC_BLOCK_BYTES {
        hashed = Sha256::digest(key);
        hashed.as_slice()
    } else {
        key
    };
    let mut block = [0u8; HMAC_BLOCK_BYTES];
    for (dst, src) in block.iter_mut().zip(source) {
        *dst = *src;
    }
    <HmacSha256 as KeyInit>::new(&block.into())
}

fn signed_mac(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = keyed_mac(key);
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// "v1," + base64(HMAC-SHA256(key, "{msg_id}.{timestamp}.{body}")); the body
/// is signed exactly as given, because receivers verify the raw bytes.
pub fn sign(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = signed_mac(key, msg_id, timestamp, body)
        .finalize()
        .into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

/// Space-separated signatures, one per key, in the given order (during secret
/// rotation the new key goes first so receivers that already switched match
/// on the first entry).
pub fn signature_header(keys: &[&[u8]], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .map(|key| sign(key, msg_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Accepts the header if any space-separated `v1,<base64>` entry matches;
/// entries of other versions are ignored so newer schemes can be sent
/// alongside v1. Rejects when |now - timestamp| > tolerance_secs, which
/// bounds how long a captured request can be replayed.
pub fn verify(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
    header: &str,
    now: i64,
    tolerance_secs: i64,
) -> Result<(), VerifyError> {
    let key = decode_secret(secret)?;

    // i128 so that hostile timestamps near i64::MIN/MAX cannot overflow.
    let skew = i128::from(now) - i128::from(timestamp);
    let tolerance = i128::from(tolerance_secs.max(0));
    if skew > tolerance {
        return Err(VerifyError::TimestampTooOld);
    }
    if -skew > tolerance {
        return Err(VerifyError::TimestampTooNew);
    }

    let expected = signed_mac(&key, msg_id, timestamp, body);
    let matched = header
        .split_whitespace()
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == "v1")
        .filter_map(|(_, encoded)| STANDARD.decode(encoded).ok())
        // verify_slice compares in constant time, so a mismatch leaks nothing
        // about how many leading bytes were right.
        .any(|candidate| expected.clone().verify_slice(&candidate).is_ok());

    if matched {
        Ok(())
    } else {
        Err(VerifyError::NoMatchingSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vector {
        secret: &'static str,
        msg_id: &'static str,
        timestamp: i64,
        body: &'static str,
        signature: &'static str,
    }

    // Published Standard Webhooks test vectors.
    const VECTORS: [Vector; 2] = [
        Vector {
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            msg_id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp: 1614265330,
            body: r#"{"test": 2432232314}"#,
            signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        },
        Vector {
            secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            msg_id: "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            timestamp: 1649367553,
            body: r#"{"email":"test@example.com","username":"test_user"}"#,
            signature: "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        },
    ];

    const TOLERANCE: i64 = 300;

    #[test]
    fn sign_reproduces_vectors() {
        for v in &VECTORS {
            let key = decode_secret(v.secret).expect("vector secret decodes");
            assert_eq!(
                sign(&key, v.msg_id, v.timestamp, v.body.as_bytes()),
                v.signature,
                "msg {}",
                v.msg_id
            );
        }
    }

    #[test]
    fn verify_table() {
        let v = &VECTORS[0];
        let mixed = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= \
                     v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= \
                     v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= \
                     v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        let ts = v.timestamp;
        // (name, secret, header, now, expected)
        type Case<'a> = (&'a str, &'a str, &'a str, i64, Result<(), VerifyError>);
        let cases: [Case; 14] = [
            ("valid", v.secret, v.signature, ts, Ok(())),
            ("valid at +300", v.secret, v.signature, ts + 300, Ok(())),
            ("valid at -300", v.secret, v.signature, ts - 300, Ok(())),
            ("mixed header", v.secret, mixed, ts, Ok(())),
            (
                "wrong signature",
                v.secret,
                "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
                ts,
                Err(VerifyError::NoMatchingSignature),
            ),
            (
                "partial",
                v.secret,
                "v1,",
                ts,
                Err(VerifyError::NoMatchingSignature),
            ),
            (
                "empty header",
                v.secret,
                "",
                ts,
                Err(VerifyError::NoMatchingSignature),
            ),
            (
                "only v2",
                v.secret,
                "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                ts,
                Err(VerifyError::NoMatchingSignature),
            ),
            (
                "no comma",
                v.secret,
                "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                ts,
                Err(VerifyError::NoMatchingSignature),
            ),
            (
                "truncated signature",
                v.secret,
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O",
                ts,
                Err(VerifyError::NoMatchingSignature),
            ),
            (
                "too old",
                v.secret,
                v.signature,
                ts + 301,
                Err(VerifyError::TimestampTooOld),
            ),
            (
                "too new",
                v.secret,
                v.signature,
                ts - 301,
                Err(VerifyError::TimestampTooNew),
            ),
            (
                "bad secret",
                "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                v.signature,
                ts,
                Err(VerifyError::BadSecret(SecretError::MissingPrefix)),
            ),
            (
                "other vector's secret",
                VECTORS[1].secret,
                v.signature,
                ts,
                Err(VerifyError::NoMatchingSignature),
            ),
        ];
        for (name, secret, header, now, expected) in cases {
            assert_eq!(
                verify(
                    secret,
                    v.msg_id,
                    ts,
                    v.body.as_bytes(),
                    header,
                    now,
                    TOLERANCE
                ),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn verify_survives_extreme_timestamps() {
        let v = &VECTORS[0];
        for (ts, now, expected) in [
            (i64::MIN, i64::MAX, VerifyError::TimestampTooOld),
            (i64::MAX, i64::MIN, VerifyError::TimestampTooNew),
        ] {
            assert_eq!(
                verify(v.secret, v.msg_id, ts, b"", v.signature, now, i64::MAX),
                Err(expected)
            );
        }
    }

    #[test]
    fn verify_second_vector_by_body_tamper() {
        let v = &VECTORS[1];
        let cases: [(&str, Result<(), VerifyError>); 3] = [
            (v.body, Ok(())),
            (
                r#"{"email":"test@example.com","username":"test_user" }"#,
                Err(VerifyError::NoMatchingSignature),
            ),
            ("", Err(VerifyError::NoMatchingSignature)),
        ];
        for (body, expected) in cases {
            assert_eq!(
                verify(
                    v.secret,
                    v.msg_id,
                    v.timestamp,
                    body.as_bytes(),
                    v.signature,
                    v.timestamp,
                    TOLERANCE
                ),
                expected,
                "body {body:?}"
            );
        }
    }

    #[test]
    fn decode_secret_table() {
        let b64 = |n: usize| STANDARD.encode(vec![7u8; n]);
        let unpadded = STANDARD.encode([1u8; 32]).trim_end_matches('=').to_owned();
        let cases: Vec<(String, Result<usize, SecretError>)> = vec![
            (VECTORS[0].secret.to_owned(), Ok(24)),
            (format!("whsec_{}", b64(32)), Ok(32)),
            (format!("whsec_{unpadded}"), Ok(32)),
            (format!("whsec_{}", b64(24)), Ok(24)),
            (format!("whsec_{}", b64(64)), Ok(64)),
            (
                format!("whsec_{}", b64(23)),
                Err(SecretError::WrongLength { bytes: 23 }),
            ),
            (
                format!("whsec_{}", b64(65)),
                Err(SecretError::WrongLength { bytes: 65 }),
            ),
            (
                "whsec_".to_owned(),
                Err(SecretError::WrongLength { bytes: 0 }),
            ),
            (b64(32), Err(SecretError::MissingPrefix)),
            (
                format!("WHSEC_{}", b64(32)),
                Err(SecretError::MissingPrefix),
            ),
            ("whsec_not*base64!".to_owned(), Err(SecretError::NotBase64)),
            (
                // URL-safe alphabet is not what Standard Webhooks uses.
                format!("whsec_{}", "_-".repeat(16)),
                Err(SecretError::NotBase64),
            ),
        ];
        for (secret, expected) in cases {
            assert_eq!(
                decode_secret(&secret).map(|k| k.len()),
                expected,
                "{secret}"
            );
        }
    }

    #[test]
    fn secret_errors_never_contain_the_secret() {
        let encoded = "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw";
        for secret in [
            encoded.to_owned(),
            format!("whsec_{encoded}!!"),
            format!("whsec_{}", &encoded[..12]),
        ] {
            let err = decode_secret(&secret).expect_err("secret is invalid");
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(&encoded[..12]), "{shown}");
            assert!(shown.contains("whsec_") || matches!(err, SecretError::WrongLength { .. }));
            let via_verify = verify(&secret, "m", 0, b"", "", 0, 0).expect_err("invalid");
            assert!(!format!("{via_verify} {via_verify:?}").contains(&encoded[..12]));
        }
    }

    #[test]
    fn generated_secrets_are_valid_and_distinct() {
        let a = generate_secret();
        let b = try_generate_secret().expect("OS RNG available");
        for s in [&a, &b] {
            assert!(s.starts_with(SECRET_PREFIX));
            assert!(s.ends_with('='), "standard base64 of 32 bytes is padded");
            assert_eq!(decode_secret(s).map(|k| k.len()), Ok(32));
        }
        assert_ne!(a, b);
    }

    #[test]
    fn rotation_header_lists_each_key_in_order() {
        let v = &VECTORS[0];
        let new_secret = generate_secret();
        let new_key = decode_secret(&new_secret).expect("valid");
        let old_key = decode_secret(v.secret).expect("valid");
        let header = signature_header(
            &[&new_key, &old_key],
            v.msg_id,
            v.timestamp,
            v.body.as_bytes(),
        );
        let entries: Vec<&str> = header.split(' ').collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1], v.signature);
        for secret in [new_secret.as_str(), v.secret] {
            assert_eq!(
                verify(
                    secret,
                    v.msg_id,
                    v.timestamp,
                    v.body.as_bytes(),
                    &header,
                    v.timestamp,
                    0
                ),
                Ok(())
            );
        }
        assert_eq!(signature_header(&[], v.msg_id, v.timestamp, b""), "");
    }

    #[test]
    fn keyed_mac_matches_library_key_handling() {
        // Our block normalisation must agree with hmac's own, for short,
        // exact-block and over-long keys alike.
        for len in [0usize, 1, 24, 32, 63, 64, 65, 100, 200] {
            let key: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut ours = keyed_mac(&key);
            let mut theirs = <HmacSha256 as Mac>::new_from_slice(&key).expect("any length");
            ours.update(b"payload");
            theirs.update(b"payload");
            assert_eq!(
                ours.finalize().into_bytes(),
                theirs.finalize().into_bytes(),
                "len {len}"
            );
        }
    }
}
