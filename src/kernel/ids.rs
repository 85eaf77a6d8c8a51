//! Identifiers that cross module borders.

use serde::{Deserialize, Serialize};

/// A case's id (UUID v7 text): what every change and read of a case is keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub String);

impl CaseId {
    pub fn new() -> CaseId {
        CaseId(uuid::Uuid::now_v7().to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for CaseId {
    fn default() -> Self {
        CaseId::new()
    }
}

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A case id reads as the text it is wherever text is asked for (queries,
/// paths, messages).
impl std::ops::Deref for CaseId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for CaseId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for CaseId {
    fn from(s: String) -> CaseId {
        CaseId(s)
    }
}

impl From<&str> for CaseId {
    fn from(s: &str) -> CaseId {
        CaseId(s.to_string())
    }
}
