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

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    pub fn new(secret: &str) -> JwtKeys {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
        }
    }

    pub fn issue(&self, claims: &Claims) -> AppResult<String> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("jwt: {e}")))
    }

    /// Checks signature, algorithm and expiry (against `now`, seconds).
    pub fn check(&self, token: &str, now: i64) -> AppResult<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.validate_exp = false;
        v.required_spec_claims.clear();
        let data = decode::<Claims>(token, &self.decoding, &v)
            .map_err(|_| AppError::unauthorized("invalid token"))?;
        if data.claims.exp <= now {
            return Err(AppError::unauthorized("token expired"));
        }
        Ok(data.claims)
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
        assert!(k.check(&t, 200).is_err());
        let other = JwtKeys::new("another-secret-of-at-least-thirty-two!!");
        assert!(other.check(&t, 150).is_err());
    }
}
