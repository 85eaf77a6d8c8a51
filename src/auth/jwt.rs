//! Access tokens: HS256 JWTs. Expiry is checked against the service clock,
//! and a token is only good while its `epoch` equals the user's
//! `token_epoch` (a password change, reset or disabling bumps it).

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub username: String,
    pub roles: Vec<String>,
    pub department_id: String,
    pub epoch: i32,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// How many verified tokens are remembered (the map is emptied when full).
const VERIFIED_CAP: usize = 10_000;

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Tokens whose signature was already checked, with their claims: a
    /// client sends the same token on every request, and checking it again
    /// (base64, HMAC, JSON) was a tenth of a cheap request's cost. Only a
    /// token that verified is kept, and expiry is still checked every time;
    /// revocation is the epoch check of the caller, which this does not skip.
    verified: std::sync::Mutex<std::collections::HashMap<String, Claims>>,
}

impl JwtKeys {
    pub fn new(secret: &str) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        JwtKeys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            verified: Default::default(),
        }
    }

    pub fn issue(&self, claims: &Claims) -> AppResult<String> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("jwt: {e}")))
    }

    /// Checks signature, algorithm and expiry (against `now`, seconds).
    pub fn check(&self, token: &str, now: i64) -> AppResult<Claims> {
        let known = self
            .verified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(token)
            .cloned();
        let claims = match known {
            Some(c) => c,
            None => {
                let c = decode::<Claims>(token, &self.decoding, &self.validation)
                    .map_err(|_| AppError::unauthorized("invalid token"))?
                    .claims;
                let mut map = self.verified.lock().unwrap_or_else(|p| p.into_inner());
                if map.len() >= VERIFIED_CAP {
                    map.clear();
                }
                map.insert(token.to_string(), c.clone());
                c
            }
        };
        if claims.exp <= now {
            return Err(AppError::unauthorized("token expired"));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_expiry_and_tamper() {
        let k = JwtKeys::new("a-secret-of-at-least-thirty-two-chars!!");
        let c = Claims {
            sub: "u".into(),
            username: "li".into(),
            roles: vec!["officer".into()],
            department_id: "d".into(),
            epoch: 0,
            iat: 100,
            exp: 200,
            jti: "j".into(),
        };
        let t = k.issue(&c).unwrap();
        assert_eq!(k.check(&t, 150).unwrap().sub, "u");
        // Remembered, and still expires.
        assert_eq!(k.check(&t, 150).unwrap().sub, "u");
        assert!(k.check(&t, 200).is_err());
        // A forged token is never remembered as good.
        let mut bytes = t.clone().into_bytes();
        let i = bytes.len() - 10;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(bytes).unwrap();
        assert!(k.check(&forged, 150).is_err());
        assert!(k.check(&forged, 150).is_err());
        let other = JwtKeys::new("another-secret-of-at-least-thirty-two!!");
        assert!(other.check(&t, 150).is_err());
    }
}
