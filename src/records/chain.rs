//! The keyed hash chain of the full-process record (全过程记录, APL Art 47).
//! Pure: no database, no clock.
//!
//! `hash = HMAC-SHA256(record key, canonical bytes)` where the canonical bytes
//! are the JSON array `[case_id, seq, at, actor_id, actor_role,
//! actor_certificate, action, detail, request_id, prev_hash]`, `at` in RFC 3339
//! with microseconds and `detail` the JSON text exactly as stored.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use utoipa::ToSchema;

/// `prev_hash` of the first entry of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry as it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainEntry {
    pub case_id: String,
    pub seq: i64,
    /// RFC 3339, microseconds, UTC.
    pub at: String,
    pub actor_id: String,
    pub actor_role: String,
    pub actor_certificate: Option<String>,
    pub action: String,
    /// Canonical JSON text.
    pub detail: String,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

pub fn canonical_bytes(e: &ChainEntry) -> Vec<u8> {
    serde_json::to_vec(&(
        &e.case_id,
        e.seq,
        &e.at,
        &e.actor_id,
        &e.actor_role,
        &e.actor_certificate,
        &e.action,
        &e.detail,
        &e.request_id,
        &e.prev_hash,
    ))
    .expect("tuples of strings serialise")
}

pub fn entry_hash(key: &[u8], e: &ChainEntry) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&canonical_bytes(e));
    hex::encode(mac.finalize().into_bytes())
}

/// The answer of a verification.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Verification {
    pub valid: bool,
    /// Entries read.
    pub entries: i64,
    /// Hash of the last entry that verified (GENESIS when none did).
    pub head_hash: String,
    /// The first sequence number at which the chain breaks: an entry whose
    /// hash does not recompute, whose `prev_hash` is not its predecessor's
    /// hash, or a number that is missing or out of order.
    pub first_bad_seq: Option<i64>,
}

/// Verifies entries (ordered as stored) against the key and against the
/// head the case row remembers (`expected_count`, `expected_head`), which also
/// catches entries deleted from the end.
pub fn verify(
    key: &[u8],
    entries: &[ChainEntry],
    expected_count: i64,
    expected_head: &str,
) -> Verification {
    let mut prev = GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        let bad = e.seq != expected_seq || e.prev_hash != prev || entry_hash(key, e) != e.hash;
        if bad {
            return Verification {
                valid: false,
                entries: entries.len() as i64,
                head_hash: prev,
                first_bad_seq: Some(expected_seq.min(e.seq.max(1))),
            };
        }
        prev = e.hash.clone();
    }
    let read = entries.len() as i64;
    if read != expected_count || prev != expected_head {
        // Entries missing at the end (or the case row's head was edited).
        return Verification {
            valid: false,
            entries: read,
            head_hash: prev,
            first_bad_seq: Some(read + 1),
        };
    }
    Verification {
        valid: true,
        entries: read,
        head_hash: prev,
        first_bad_seq: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn chain(n: i64) -> Vec<ChainEntry> {
        let mut out: Vec<ChainEntry> = vec![];
        for seq in 1..=n {
            let prev = out
                .last()
                .map(|e| e.hash.clone())
                .unwrap_or_else(|| GENESIS.into());
            let mut e = ChainEntry {
                case_id: "c1".into(),
                seq,
                at: format!("2026-01-01T00:00:{seq:02}.000000Z"),
                actor_id: "u1".into(),
                actor_role: "officer".into(),
                actor_certificate: Some("53000001".into()),
                action: format!("step{seq}"),
                detail: format!("{{\"n\":{seq}}}"),
                request_id: Some(format!("r{seq}")),
                prev_hash: prev,
                hash: String::new(),
            };
            e.hash = entry_hash(KEY, &e);
            out.push(e);
        }
        out
    }

    fn head(c: &[ChainEntry]) -> String {
        c.last().unwrap().hash.clone()
    }

    #[test]
    fn untouched_chain_verifies() {
        let c = chain(5);
        let v = verify(KEY, &c, 5, &head(&c));
        assert!(v.valid);
        assert_eq!(v.entries, 5);
        assert_eq!(v.first_bad_seq, None);
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = chain(3);
        let edits: Vec<fn(&mut ChainEntry)> = vec![
            |e| e.case_id.push('x'),
            |e| e.at = "2026-01-01T00:00:00.000001Z".into(),
            |e| e.actor_id.push('x'),
            |e| e.actor_role = "head".into(),
            |e| e.actor_certificate = None,
            |e| e.action.push('x'),
            |e| e.detail = "{\"n\":99}".into(),
            |e| e.request_id = None,
        ];
        for edit in edits {
            let mut c = base.clone();
            edit(&mut c[1]);
            let v = verify(KEY, &c, 3, &head(&base));
            assert_eq!(v.first_bad_seq, Some(2), "edit not detected");
        }
    }

    #[test]
    fn deletion_swap_and_truncation_are_found() {
        let c = chain(5);
        let h = head(&c);
        let mut deleted = c.clone();
        deleted.remove(2);
        assert_eq!(verify(KEY, &deleted, 5, &h).first_bad_seq, Some(3));

        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert_eq!(verify(KEY, &swapped, 5, &h).first_bad_seq, Some(2));

        let mut renumbered = c.clone();
        renumbered.swap(1, 2);
        renumbered[1].seq = 2;
        renumbered[2].seq = 3;
        assert_eq!(verify(KEY, &renumbered, 5, &h).first_bad_seq, Some(2));

        let truncated = &c[..4];
        assert_eq!(verify(KEY, truncated, 5, &h).first_bad_seq, Some(5));

        assert_eq!(
            verify(b"another key of thirty-two bytes!", &c, 5, &h).first_bad_seq,
            Some(1)
        );
    }
}
