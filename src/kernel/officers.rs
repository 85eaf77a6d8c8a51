//! Who stands on a case, and how (APL Art 42–43).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a person stands on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfficerRole {
    /// A law-enforcement officer handling the case (APL Art 42: two at least).
    Officer,
    /// An auxiliary attached to the case (no certificate, never acts alone).
    Auxiliary,
    /// Withdrawn from the case (回避, APL Art 43): no access at all.
    Recused,
}
