//! `ApiJson<T>`: the JSON body extractor. Unlike `web::Json` it names the
//! offending field for unknown fields and wrong types, runs the shape
//! checks derived on `T` (`validator::Validate`: required, lengths,
//! ranges, patterns, nested structs and list items), and answers
//! problem+json with a stable code for every failure.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::{check_shape, AppError, Code, FieldError};

/// Largest JSON body accepted (evidence files go through multipart, not here).
pub const JSON_LIMIT: usize = 256 * 1024;

pub struct ApiJson<T>(pub T);

impl<T> std::ops::Deref for ApiJson<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req.mime_type().ok().flatten().map(|m| {
            m.essence_str() == "application/json"
                || m.suffix().map(|s| s == "json").unwrap_or(false)
        });
        let declared_len = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if content_type_ok != Some(true) {
                return Err(AppError::new(
                    Code::UnsupportedMediaType,
                    "send the body as application/json",
                ));
            }
            let too_large = || {
                AppError::new(
                    Code::PayloadTooLarge,
                    format!("JSON body larger than {JSON_LIMIT} bytes"),
                )
            };
            if declared_len.map(|n| n > JSON_LIMIT).unwrap_or(false) {
                return Err(too_large());
            }
            let mut body = bytes::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    AppError::bad_request(Code::BadRequest, format!("reading body: {e}"))
                })?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            let value: T = parse(&body)?;
            check_shape(&value)?;
            Ok(ApiJson(value))
        })
    }
}

/// Parses a JSON body, naming the field that is wrong; a text holding a
/// control character is refused (`refuse_control_characters`).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    // A good body parses straight into `T`; only a bad one pays for the
    // slower path below that names the field.
    if let Ok(v) = serde_json::from_slice::<T>(body) {
        refuse_control_characters(body)?;
        return Ok(v);
    }
    // Syntax first, so that a broken body is called broken whatever its keys.
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| AppError::bad_request(Code::InvalidJson, format!("malformed JSON: {e}")))?;
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let msg = inner.to_string();
            use serde_json::error::Category;
            match inner.classify() {
                Category::Syntax | Category::Eof | Category::Io => Err(AppError::bad_request(
                    Code::InvalidJson,
                    format!("malformed JSON: {msg}"),
                )),
                Category::Data => {
                    if let Some(rest) = msg.strip_prefix("unknown field `") {
                        let name = rest.split('`').next().unwrap_or("");
                        // serde_path_to_error's path already ends with the unknown key.
                        let field = if path == "." || path.is_empty() {
                            name.to_string()
                        } else {
                            path
                        };
                        let mut e = AppError::bad_request(
                            Code::UnknownField,
                            format!("unknown field {field}"),
                        );
                        e.errors.push(FieldError::new(
                            field,
                            "unknown_field",
                            "this field is not accepted here",
                        ));
                        Err(e)
                    } else {
                        let field = if path == "." {
                            missing_field(&msg).unwrap_or_default()
                        } else {
                            path
                        };
                        Err(AppError::validation(vec![FieldError::new(
                            field,
                            "invalid",
                            strip_position(&msg),
                        )]))
                    }
                }
            }
        }
    }
}

/// Control characters other than tab, line feed and carriage return are
/// refused in every text of every body (PostgreSQL cannot store NUL; none
/// belongs in a record): 400 `validation_failed` naming the field, code
/// `control_character`.
pub fn refuse_control_characters(body: &[u8]) -> Result<(), AppError> {
    if !may_hold_control(body) {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    match control_character_at(&value, "") {
        None => Ok(()),
        Some(field) => Err(AppError::validation(vec![FieldError::new(
            field,
            "control_character",
            CONTROL_MESSAGE,
        )])),
    }
}

pub const CONTROL_MESSAGE: &str =
    "control characters other than tab, line feed and carriage return are not accepted";

/// A character refused in text: a control character (C0, DEL, C1) other
/// than tab, line feed and carriage return.
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A quick look at the raw body: JSON can carry a control character only
/// as an escape (`\u00XX`, `\b`, `\f`) or, for DEL and C1, as raw UTF-8.
fn may_hold_control(body: &[u8]) -> bool {
    body.windows(2)
        .any(|w| matches!(w, [b'\\', b'u' | b'b' | b'f'] | [0xC2, 0x80..=0x9F]) || w[0] == 0x7F)
        || body.last() == Some(&0x7F)
}

/// The path of the first string (or key) holding a refused character.
fn control_character_at(v: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::String(s) => s.chars().any(is_refused_control).then(|| {
            if path.is_empty() {
                ".".into()
            } else {
                path.to_string()
            }
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| control_character_at(item, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, item)| {
            if k.chars().any(is_refused_control) {
                Some(join(
                    &k.chars().filter(|c| !c.is_control()).collect::<String>(),
                ))
            } else {
                control_character_at(item, &join(k))
            }
        }),
        _ => None,
    }
}

fn missing_field(msg: &str) -> Option<String> {
    msg.strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
        .map(str::to_owned)
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        count: i64,
        party: Inner,
    }

    #[test]
    fn refuses_control_characters_naming_the_field() {
        let e = refuse_control_characters(br#"{"party": {"name": "a\u0000b"}}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "party.name");
        assert_eq!(e.errors[0].code, "control_character");
        let e = refuse_control_characters(br#"{"items": ["ok", "\u001b"]}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "items[1]");
        assert!(refuse_control_characters(br#"{"facts": "a\tb\nc\r\nd \\u0000"}"#).is_ok());
        assert!(refuse_control_characters("{\"a\": \"\u{85}\"}".as_bytes()).is_err());
        assert!(refuse_control_characters(r#"{"a": "执法\u4e00"}"#.as_bytes()).is_ok());
    }

    #[test]
    fn names_the_field() {
        let e = parse::<Outer>(br#"{"count": "x", "party": {"name": "a"}}"#).unwrap_err();
        assert_eq!(e.code, Code::ValidationFailed);
        assert_eq!(e.errors[0].field, "count");
        let e = parse::<Outer>(br#"{"count": 1, "party": {"name": "a", "nmae": 1}}"#).unwrap_err();
        assert_eq!(e.code, Code::UnknownField);
        assert_eq!(e.errors[0].field, "party.nmae");
        let e = parse::<Outer>(br#"{"count": 1}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "party");
        let e = parse::<Outer>(br#"{"count": 1,"#).unwrap_err();
        assert_eq!(e.code, Code::InvalidJson);
    }
}
