//! Evidence (证据), pure: the eight kinds of APL Art 46 and what a piece of
//! evidence must carry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::error::FieldError;
use crate::kernel::shape::not_blank;

/// 证据种类 — APL Art 46 ¶1 (1)–(8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// 书证
    Documentary,
    /// 物证
    Physical,
    /// 视听资料
    AudioVisual,
    /// 电子数据
    Electronic,
    /// 证人证言
    WitnessTestimony,
    /// 当事人的陈述
    PartyStatement,
    /// 鉴定意见
    ExpertOpinion,
    /// 勘验笔录、现场笔录
    InspectionRecord,
}

impl EvidenceKind {
    pub fn chinese(self) -> &'static str {
        match self {
            EvidenceKind::Documentary => "书证",
            EvidenceKind::Physical => "物证",
            EvidenceKind::AudioVisual => "视听资料",
            EvidenceKind::Electronic => "电子数据",
            EvidenceKind::WitnessTestimony => "证人证言",
            EvidenceKind::PartyStatement => "当事人的陈述",
            EvidenceKind::ExpertOpinion => "鉴定意见",
            EvidenceKind::InspectionRecord => "勘验笔录、现场笔录",
        }
    }
}

/// The `meta` part of an evidence upload.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EvidenceMeta {
    pub kind: EvidenceKind,
    #[validate(custom(function = not_blank, code = "required", message = "name the evidence"), length(max = 200, code = "too_long", message = "at most 200 characters"))]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = 5_000, code = "too_long", message = "at most 5,000 characters"))]
    pub description: Option<String>,
    /// When the evidence was collected (取证时间).
    pub collected_at: DateTime<Utc>,
    /// Where it was collected.
    #[serde(default)]
    #[validate(length(max = 300, code = "too_long", message = "at most 300 characters"))]
    pub location: Option<String>,
}

/// Evidence cannot have been collected in the future (the shape of the
/// metadata is its type's derive; this needs the clock).
pub fn collected_in_future(m: &EvidenceMeta, now: DateTime<Utc>) -> Option<FieldError> {
    (m.collected_at > now).then(|| {
        FieldError::new(
            "meta.collected_at",
            "date_in_future",
            "evidence cannot have been collected in the future",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_kinds_and_meta_checks() {
        let kinds: Vec<EvidenceKind> = serde_json::from_str(
            r#"["documentary","physical","audio_visual","electronic","witness_testimony","party_statement","expert_opinion","inspection_record"]"#,
        )
        .unwrap();
        assert_eq!(kinds.len(), 8);
        let now = Utc::now();
        let m = EvidenceMeta {
            kind: EvidenceKind::Physical,
            title: " ".into(),
            description: None,
            collected_at: now + chrono::Duration::minutes(5),
            location: None,
        };
        let e = crate::error::shape_errors(&m.validate().unwrap_err());
        assert_eq!((e.len(), e[0].field.as_str()), (1, "title"));
        assert!(collected_in_future(&m, now).is_some());
    }
}
