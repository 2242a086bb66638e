//! One spooled message as bytes: `len: u32 LE | crc32(body): u32 LE | body`, where body is
//! `seq: u64 | created_at: i64 | id_len: u16 | id | [network_id: i64] | event_len: u16 | event | payload`.
//! The network id is there only for networks other than the main one, flagged by the top bit of
//! `id_len` (records written before networks existed never set it). A torn or damaged record
//! (a process killed mid-write) ends the reading of its segment.

use crate::engine::model::{NewMessage, DEFAULT_NETWORK};

pub const HEADER: usize = 8;
/// Set in the id length of records that carry a network id.
const NETWORK_FLAG: u16 = 0x8000;
/// Ids and event names are far shorter; the flag bit must stay free.
const MAX_TEXT: usize = 0x7FFF;

/// Encode into `out` (cleared first, reused across appends).
pub fn encode(out: &mut Vec<u8>, seq: u64, m: &NewMessage) {
    out.clear();
    out.extend_from_slice(&[0; HEADER]);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&m.created_at.to_le_bytes());
    let other_network = m.network_id != DEFAULT_NETWORK;
    for (i, s) in [&m.id, &m.event].into_iter().enumerate() {
        let bytes = s.as_bytes();
        let len = bytes.len().min(MAX_TEXT);
        let flag = if i == 0 && other_network {
            NETWORK_FLAG
        } else {
            0
        };
        out.extend_from_slice(&(len as u16 | flag).to_le_bytes());
        out.extend_from_slice(&bytes[..len]);
        if i == 0 && other_network {
            out.extend_from_slice(&m.network_id.to_le_bytes());
        }
    }
    out.extend_from_slice(&m.payload);
    let body_len = (out.len() - HEADER) as u32;
    let crc = crc32fast::hash(&out[HEADER..]);
    out[0..4].copy_from_slice(&body_len.to_le_bytes());
    out[4..8].copy_from_slice(&crc.to_le_bytes());
}

/// The complete records of a byte range, stopping at the first torn or damaged one; also
/// returns how many bytes they took.
pub fn decode_all(bytes: &[u8]) -> (Vec<NewMessage>, usize) {
    let mut out = Vec::new();
    let mut at = 0usize;
    while let Some((message, next)) = decode_one(bytes, at) {
        out.push(message);
        at = next;
    }
    (out, at)
}

fn decode_one(bytes: &[u8], at: usize) -> Option<(NewMessage, usize)> {
    let header = bytes.get(at..at + HEADER)?;
    let len = u32::from_le_bytes(header[0..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..8].try_into().ok()?);
    if len == 0 {
        return None;
    }
    let body = bytes.get(at + HEADER..at + HEADER + len)?;
    if crc32fast::hash(body) != crc {
        return None;
    }
    let seq = u64::from_le_bytes(body.get(0..8)?.try_into().ok()?);
    let created_at = i64::from_le_bytes(body.get(8..16)?.try_into().ok()?);
    let mut pos = 16;
    let raw = u16::from_le_bytes(body.get(pos..pos + 2)?.try_into().ok()?);
    let n = (raw & !NETWORK_FLAG) as usize;
    let id = std::str::from_utf8(body.get(pos + 2..pos + 2 + n)?)
        .ok()?
        .to_string();
    pos += 2 + n;
    let network_id = if raw & NETWORK_FLAG != 0 {
        let v = i64::from_le_bytes(body.get(pos..pos + 8)?.try_into().ok()?);
        pos += 8;
        v
    } else {
        DEFAULT_NETWORK
    };
    let n = u16::from_le_bytes(body.get(pos..pos + 2)?.try_into().ok()?) as usize;
    let event = std::str::from_utf8(body.get(pos + 2..pos + 2 + n)?)
        .ok()?
        .to_string();
    pos += 2 + n;
    let payload = body.get(pos..)?.to_vec();
    Some((
        NewMessage {
            id,
            network_id,
            event,
            payload,
            created_at,
            spooled: seq,
        },
        at + HEADER + len,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn message(i: usize) -> NewMessage {
        NewMessage {
            id: format!("msg_{i:026}"),
            network_id: if i % 2 == 0 { 1 } else { 7 },
            event: "payment_received".into(),
            payload: format!("{{\"n\":{i}}}").into_bytes(),
            created_at: 1_700_000_000_000 + i as i64,
            spooled: 0,
        }
    }

    #[test]
    fn records_round_trip_and_a_torn_tail_ends_the_reading() {
        let mut bytes = Vec::new();
        let mut record = Vec::new();
        for i in 0..3 {
            encode(&mut record, i as u64 + 1, &message(i));
            bytes.extend_from_slice(&record);
        }
        let (whole, used) = decode_all(&bytes);
        assert_eq!((whole.len(), used), (3, bytes.len()));
        assert_eq!(whole[2].id, message(2).id);
        assert_eq!(whole[1].payload, message(1).payload);
        assert_eq!(whole[0].created_at, message(0).created_at);
        assert_eq!(
            whole.iter().map(|m| m.network_id).collect::<Vec<_>>(),
            vec![1, 7, 1]
        );
        assert_eq!(
            whole.iter().map(|m| m.spooled).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(whole[1].event, "payment_received");
        // Cut mid-record: the first two survive.
        assert_eq!(decode_all(&bytes[..bytes.len() - 5]).0.len(), 2);
        // A flipped byte in the second record's body: only the first survives.
        let mut damaged = bytes.clone();
        let second = record.len() + HEADER + 20;
        damaged[second] ^= 0xFF;
        assert_eq!(decode_all(&damaged).0.len(), 1);
        // Zeroes (preallocated, never written) end the reading.
        assert!(decode_all(&[0; 64]).0.is_empty());
        assert!(decode_all(&[]).0.is_empty());
    }
}
