//! Paging, the one way every list pages (API conventions: `limit`, default
//! 50, at most 500; an opaque `cursor`; the answer `{items, next_cursor}`).
//!
//! A list handler takes [`Listed<F>`] (`F` = its filter struct, or nothing)
//! instead of `web::Query<F>`; the extractor takes `limit` and `cursor` out
//! of the query string, checks them (400 naming the field) and hands the
//! rest to `F` (so `F` keeps `deny_unknown_fields`). The store then reads
//! one page in a stable order by keyset:
//!
//! ```ignore
//! let after: Option<(NaiveDate, String)> = page.after()?; // 400 `cursor`
//! // ... .filter(due.gt(d).or(due.eq(d).and(id.gt(i)))) ... .limit(page.fetch())
//! Page::keyset(rows, &page, |c| (c.due_on, c.id.clone()))
//! ```
//!
//! `Page::keyset` takes the `page.fetch()` rows read (one more than asked
//! tells whether another page exists) and sets `next_cursor` to the last
//! row's key. Lists that are not read from a growing table (the catalogue
//! in memory, the tasks computed per caller, the lists of one case) page
//! the same way over the whole list with [`Page::slice`].
//!
//! The OpenAPI registrar (`http::routes`) documents `limit` and `cursor` on
//! every operation whose 200 answer is a `Page`, so a new list only needs
//! `Listed` and `Page`.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, Code, FieldError};

/// The default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page.
pub const MAX_LIMIT: i64 = 500;

/// A page of a list: at most `limit` items; `next_cursor` asks for the
/// next page (`?cursor=`), null on the last.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null when this page is the last.
    pub next_cursor: Option<String>,
}

/// The paging half of a list's query: the page size and where to start.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// Items per page (1–500, default 50).
    pub limit: i64,
    /// The opaque cursor as sent.
    pub cursor: Option<String>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

fn field_error(field: &str, code: &str, message: &str) -> AppError {
    AppError::validation(vec![FieldError::new(field, code, message)])
}

fn bad_cursor() -> AppError {
    field_error(
        "cursor",
        "invalid",
        "cursor must be a next_cursor this list answered",
    )
}

/// Encodes a sort key as an opaque cursor (base64url of its JSON).
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_vec(key).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// Decodes a cursor into the sort key it was made from; 400 naming `cursor`
/// when it is not one.
pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K, AppError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim_end_matches('='))
        .map_err(|_| bad_cursor())?;
    serde_json::from_slice(&bytes).map_err(|_| bad_cursor())
}

impl PageRequest {
    /// Checks `limit` and `cursor` as sent (400 naming the field).
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<PageRequest, AppError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(s) => match s.trim().parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                Ok(_) => return Err(field_error("limit", "out_of_range", "limit must be 1–500")),
                Err(_) => return Err(field_error("limit", "invalid", "limit must be an integer")),
            },
        };
        let cursor = match cursor {
            None => None,
            Some(c) => {
                // Malformed cursors are refused before any query runs.
                decode_cursor::<serde_json::Value>(c)?;
                Some(c.to_string())
            }
        };
        Ok(PageRequest { limit, cursor })
    }

    /// The sort key of the last item of the previous page, if any; 400
    /// naming `cursor` when the cursor is not one of this list's.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, AppError> {
        self.cursor.as_deref().map(decode_cursor).transpose()
    }

    /// How many rows to read: one more than a page, to know whether another
    /// page exists.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

impl<T> Page<T> {
    /// A page from the rows read with `limit(page.fetch())` after the
    /// cursor's key, in the list's order; `key` gives a row's sort key (it
    /// must end in a unique column so the order is total).
    pub fn keyset<K: Serialize>(
        mut rows: Vec<T>,
        page: &PageRequest,
        key: impl Fn(&T) -> K,
    ) -> Page<T> {
        let more = rows.len() as i64 > page.limit;
        rows.truncate(page.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(&key(r)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    /// The same page with each item turned into another (a row into its view).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }

    /// A page of a whole list held in memory, in its order: the items after
    /// the one whose key the cursor holds. A cursor whose item has gone
    /// answers 400 naming `cursor`.
    pub fn slice<K: Serialize + DeserializeOwned + PartialEq>(
        items: Vec<T>,
        page: &PageRequest,
        key: impl Fn(&T) -> K,
    ) -> Result<Page<T>, AppError> {
        let start = match page.after::<K>()? {
            None => 0,
            Some(after) => {
                items
                    .iter()
                    .position(|i| key(i) == after)
                    .ok_or_else(bad_cursor)?
                    + 1
            }
        };
        let rows: Vec<T> = items
            .into_iter()
            .skip(start)
            .take(page.fetch() as usize)
            .collect();
        Ok(Page::keyset(rows, page, key))
    }
}

impl<T> Page<T> {
    /// A page of a whole list held in memory whose items have no key of
    /// their own but only ever grow at the end (a log): keyed by position.
    pub fn slice_by_position(items: Vec<T>, page: &PageRequest) -> Result<Page<T>, AppError> {
        let indexed: Vec<(usize, T)> = items.into_iter().enumerate().collect();
        Ok(Page::slice(indexed, page, |(i, _)| *i)?.map(|(_, t)| t))
    }
}

/// `limit` checked as `PageRequest::parse` checks it, for lists that keep
/// their own cursor (their query struct names `limit` and `cursor`).
pub fn page_limit(limit: Option<i64>) -> Result<i64, AppError> {
    PageRequest::parse(limit.map(|l| l.to_string()).as_deref(), None).map(|p| p.limit)
}

impl<T: Serialize> Page<T> {
    /// 200 with the page.
    pub fn respond(&self) -> HttpResponse {
        HttpResponse::Ok().json(self)
    }
}

/// A list's query without filters: only `limit` and `cursor` are accepted.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoFilter {}

/// A list's query: the filter `F` and the page. Query keys other than
/// `limit`, `cursor` and `F`'s fields answer 400 (when `F` denies unknown
/// fields, as every filter here does).
#[derive(Debug)]
pub struct Listed<F = NoFilter> {
    pub filter: F,
    pub page: PageRequest,
}

impl<F: DeserializeOwned> Listed<F> {
    fn from_query(qs: &str) -> Result<Listed<F>, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(qs)
            .map_err(|e| AppError::bad_request(Code::ValidationFailed, format!("query: {e}")))?;
        let (mut limit, mut cursor, mut rest) = (None, None, Vec::new());
        for (k, v) in pairs {
            match k.as_str() {
                "limit" => limit = Some(v),
                "cursor" => cursor = Some(v),
                _ => rest.push((k, v)),
            }
        }
        let page = PageRequest::parse(limit.as_deref(), cursor.as_deref())?;
        let rest = serde_urlencoded::to_string(&rest).unwrap_or_default();
        let filter = serde_urlencoded::from_str::<F>(&rest)
            .map_err(|e| AppError::bad_request(Code::ValidationFailed, format!("query: {e}")))?;
        Ok(Listed { filter, page })
    }
}

impl<F: DeserializeOwned> FromRequest for Listed<F> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Listed<F>, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Listed::from_query(req.query_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct F {
        status: Option<String>,
    }

    #[test]
    fn splits_the_page_from_the_filter() {
        let l = Listed::<F>::from_query("status=open&limit=2").unwrap();
        assert_eq!(l.filter.status.as_deref(), Some("open"));
        assert_eq!(l.page.limit, 2);
        assert!(Listed::<F>::from_query("other=1").is_err());
        assert!(Listed::<NoFilter>::from_query("status=open").is_err());
        assert_eq!(Listed::<NoFilter>::from_query("").unwrap().page.limit, 50);
    }

    #[test]
    fn refuses_bad_limits_and_cursors() {
        for q in [
            "limit=0",
            "limit=501",
            "limit=x",
            "cursor=!!",
            "cursor=bm90IGpzb24",
        ] {
            let e = Listed::<NoFilter>::from_query(q).unwrap_err();
            assert_eq!(e.status.as_u16(), 400, "{q}");
        }
    }

    #[test]
    fn slices_in_order_and_round_trips_the_key() {
        let items: Vec<i32> = (1..=5).collect();
        let mut page = PageRequest {
            limit: 2,
            cursor: None,
        };
        let mut seen = Vec::new();
        loop {
            let p = Page::slice(items.clone(), &page, |i| *i).unwrap();
            seen.extend(p.items);
            match p.next_cursor {
                Some(c) => page.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }
}
