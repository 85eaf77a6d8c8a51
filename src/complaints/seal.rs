//! Sealing a reporter's identity at rest: AES-256-GCM (RustCrypto
//! `aes-gcm`) under `ZHIFA_REPORTER_KEY`, a fresh 96-bit nonce per seal, the
//! complaint's id as associated data (a sealed value copied to another row
//! does not open). Stored as `v1:` + base64(nonce ‖ ciphertext ‖ tag).
//! A wrong key, a changed byte or another row's value: `open` fails — it
//! never answers garbage.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;

use crate::config::ReporterKey;

const PREFIX: &str = "v1:";

/// Seals `plain` for the complaint `id`.
pub fn seal(key: &ReporterKey, id: &str, plain: &[u8]) -> String {
    let cipher = Aes256Gcm::new_from_slice(&key.0).expect("a 32-byte key");
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: plain,
                aad: id.as_bytes(),
            },
        )
        .expect("AES-GCM encryption does not fail for this size");
    let mut out = nonce.to_vec();
    out.extend(ct);
    format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(out)
    )
}

/// Opens what `seal` made for the complaint `id`; None on any mismatch.
pub fn open(key: &ReporterKey, id: &str, sealed: &str) -> Option<Vec<u8>> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(sealed.strip_prefix(PREFIX)?)
        .ok()?;
    if raw.len() < 12 + 16 {
        return None;
    }
    let (nonce, ct) = raw.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    let cipher = Aes256Gcm::new_from_slice(&key.0).ok()?;
    cipher
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: ct,
                aad: id.as_bytes(),
            },
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_opens_only_with_its_key_and_row() {
        let k = ReporterKey([7; 32]);
        let s = seal(&k, "c1", "赵某某 13800138000".as_bytes());
        assert!(!s.contains("赵") && !s.contains("13800138000"));
        assert_eq!(open(&k, "c1", &s).unwrap(), "赵某某 13800138000".as_bytes());
        assert!(open(&ReporterKey([8; 32]), "c1", &s).is_none());
        assert!(open(&k, "c2", &s).is_none());
        let mut bad = s.clone().into_bytes();
        let last = bad.len() - 3;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(open(&k, "c1", std::str::from_utf8(&bad).unwrap()).is_none());
        // A fresh nonce each time.
        assert_ne!(s, seal(&k, "c1", "赵某某 13800138000".as_bytes()));
    }
}
