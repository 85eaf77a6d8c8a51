//! Evidence (证据), pure: the eight kinds of APL Art 46 and what a piece of
//! evidence must carry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;

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
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceMeta {
    pub kind: EvidenceKind,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// When the evidence was collected (取证时间).
    pub collected_at: DateTime<Utc>,
    /// Where it was collected.
    #[serde(default)]
    pub location: Option<String>,
}

/// Field problems of the metadata: a title, a collection time that is not
/// in the future, bounded text.
pub fn meta_errors(m: &EvidenceMeta, now: DateTime<Utc>) -> Vec<FieldError> {
    let mut out = vec![];
    let title = m.title.trim().chars().count();
    if title == 0 {
        out.push(FieldError::new(
            "meta.title",
            "required",
            "name the evidence",
        ));
    } else if title > 200 {
        out.push(FieldError::new(
            "meta.title",
            "too_long",
            "at most 200 characters",
        ));
    }
    if m.description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 5000)
    {
        out.push(FieldError::new(
            "meta.description",
            "too_long",
            "at most 5,000 characters",
        ));
    }
    if m.location.as_ref().is_some_and(|d| d.chars().count() > 300) {
        out.push(FieldError::new(
            "meta.location",
            "too_long",
            "at most 300 characters",
        ));
    }
    if m.collected_at > now {
        out.push(FieldError::new(
            "meta.collected_at",
            "date_in_future",
            "evidence cannot have been collected in the future",
        ));
    }
    out
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
        let e = meta_errors(&m, now);
        assert_eq!(e.len(), 2);
        assert!(e.iter().any(|f| f.field == "meta.collected_at"));
    }
}
