//! 执法事项 / 权责清单 — enforcement items with their legal basis. Loaded from
//! `fixtures/items/*.toml`; a department holds an item when the item's domain
//! is one of the department's enforcement domains.

pub mod api;
pub mod rules;

use std::path::Path;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, AuditEvent};
use crate::db::schema::enforcement_items;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, Code};
pub use rules::{Citation, PenaltyType};

/// A department holding an item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Holder {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemData {
    pub code: String,
    pub name: String,
    pub domain: String,
    pub high_frequency: bool,
    /// APL Art 36: concerns life/health safety or financial security (5-year limitation).
    pub serious_safety: bool,
    pub penalty_types: Vec<PenaltyType>,
    #[serde(default)]
    pub description: Option<String>,
    pub violation_basis: Vec<Citation>,
    pub penalty_basis: Vec<Citation>,
}

/// An enforcement item as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnforcementItem {
    #[serde(flatten)]
    pub data: ItemData,
    /// The citations written out, e.g. 《中华人民共和国食品安全法》第一百二十二条第一款.
    pub violation_basis_text: Vec<String>,
    pub penalty_basis_text: Vec<String>,
    pub departments: Vec<Holder>,
}

/// An enforcement item as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = enforcement_items)]
struct ItemRow {
    code: String,
    name: String,
    domain: String,
    high_frequency: bool,
    serious_safety: bool,
    penalty_types: String,
    violation_basis: String,
    penalty_basis: String,
    description: Option<String>,
}

fn from_row(r: ItemRow) -> ItemData {
    ItemData {
        penalty_types: serde_json::from_str(&r.penalty_types).unwrap_or_default(),
        violation_basis: serde_json::from_str(&r.violation_basis).unwrap_or_default(),
        penalty_basis: serde_json::from_str(&r.penalty_basis).unwrap_or_default(),
        code: r.code,
        name: r.name,
        domain: r.domain,
        high_frequency: r.high_frequency,
        serious_safety: r.serious_safety,
        description: r.description,
    }
}

pub fn find(conn: &mut DbConn, code: &str) -> AppResult<Option<ItemData>> {
    Ok(enforcement_items::table
        .find(code)
        .select(ItemRow::as_select())
        .first(conn)
        .optional()?
        .map(from_row))
}

pub fn all(conn: &mut DbConn) -> AppResult<Vec<ItemData>> {
    let rows: Vec<ItemRow> = enforcement_items::table
        .select(ItemRow::as_select())
        .order(enforcement_items::code.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// Does the department (with these domains) hold the item? (权责清单)
pub fn held_by(item: &ItemData, department_domains: &[String]) -> bool {
    department_domains.contains(&item.domain)
}

pub fn present(item: ItemData, departments: &[crate::org::Department]) -> EnforcementItem {
    EnforcementItem {
        violation_basis_text: item
            .violation_basis
            .iter()
            .map(Citation::to_chinese)
            .collect(),
        penalty_basis_text: item
            .penalty_basis
            .iter()
            .map(Citation::to_chinese)
            .collect(),
        departments: departments
            .iter()
            .filter(|d| held_by(&item, &d.domains))
            .map(|d| Holder {
                id: d.id.clone(),
                name: d.name.clone(),
            })
            .collect(),
        data: item,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemsFile {
    #[serde(default)]
    items: Vec<ItemData>,
}

/// Reads and checks every `*.toml` under `dir`: all files or none. Names the
/// file and item of the first problem.
pub fn read_dir(dir: &Path) -> AppResult<Vec<ItemData>> {
    let mut out: Vec<ItemData> = vec![];
    for f in crate::fixtures::toml_files(dir)? {
        let text = std::fs::read_to_string(&f)
            .map_err(|e| AppError::rule(Code::ImportFailed, format!("{}: {e}", f.display())))?;
        let parsed: ItemsFile = toml::from_str(&text)
            .map_err(|e| AppError::rule(Code::ImportFailed, format!("{}: {e}", f.display())))?;
        for item in parsed.items {
            validate(&item).map_err(|mut e| {
                e.detail = format!("{}: {}", f.display(), e.detail);
                e
            })?;
            if out.iter().any(|o| o.code == item.code) {
                return Err(AppError::rule(
                    Code::ImportFailed,
                    format!("{}: item {} appears twice", f.display(), item.code),
                ));
            }
            out.push(item);
        }
    }
    Ok(out)
}

/// Checks one item; an item without a legal basis is refused.
pub fn validate(item: &ItemData) -> AppResult<()> {
    if item.code.trim().is_empty() || item.name.trim().is_empty() {
        return Err(AppError::rule(
            Code::ImportFailed,
            format!("item {:?}: code and name are required", item.code),
        ));
    }
    if !crate::org::rules::is_domain(&item.domain) {
        return Err(AppError::rule(
            Code::ImportFailed,
            format!("item {}: unknown domain {:?}", item.code, item.domain),
        ));
    }
    if item.penalty_types.is_empty() {
        return Err(AppError::rule(
            Code::ImportFailed,
            format!("item {}: no penalty types", item.code),
        ));
    }
    if let Some(p) = rules::legal_basis_problem(&item.violation_basis, &item.penalty_basis) {
        return Err(AppError::rule(
            Code::MissingLegalBasis,
            format!("item {}: {p}", item.code),
        ));
    }
    Ok(())
}

/// Inserts new items and updates changed ones, auditing old and new values.
/// Returns (inserted, updated). Run inside the import's transaction.
pub fn upsert(
    conn: &mut DbConn,
    items: &[ItemData],
    now: NaiveDateTime,
) -> AppResult<(usize, usize)> {
    let (mut inserted, mut updated) = (0, 0);
    for item in items {
        let old = find(conn, &item.code)?;
        if old.as_ref() == Some(item) {
            continue;
        }
        let values = (
            enforcement_items::name.eq(&item.name),
            enforcement_items::domain.eq(&item.domain),
            enforcement_items::high_frequency.eq(item.high_frequency),
            enforcement_items::serious_safety.eq(item.serious_safety),
            enforcement_items::penalty_types.eq(crate::db::json_text(&item.penalty_types)),
            enforcement_items::violation_basis.eq(crate::db::json_text(&item.violation_basis)),
            enforcement_items::penalty_basis.eq(crate::db::json_text(&item.penalty_basis)),
            enforcement_items::description.eq(&item.description),
            enforcement_items::updated_at.eq(now),
        );
        if old.is_some() {
            diesel::update(enforcement_items::table.find(&item.code))
                .set(values)
                .execute(conn)?;
            updated += 1;
        } else {
            diesel::insert_into(enforcement_items::table)
                .values((enforcement_items::code.eq(&item.code), values))
                .execute(conn)?;
            inserted += 1;
        }
        let action = if old.is_some() {
            "item.updated"
        } else {
            "item.created"
        };
        let event = AuditEvent::system(crate::audit::IMPORT, action, format!("item:{}", item.code));
        audit::write(conn, now, &event.change(old.as_ref(), Some(item)))?;
    }
    Ok((inserted, updated))
}
