//! The law's shared vocabulary, below every capability: the party, the officers on a case, how the
//! law is cited and the penalties it knows, money in fen, periods that do
//! not count, and the ids that cross module borders. No database, no HTTP.

pub mod citation;
pub mod ids;
pub mod money;
pub mod officers;
pub mod party;
pub mod period;
pub mod shape;

pub use citation::{Citation, PenaltyType};
pub use ids::CaseId;
pub use money::Fen;
pub use officers::OfficerRole;
pub use party::{IdType, Party, PartyKind};
pub use period::Excluded;
