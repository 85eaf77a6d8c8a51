//! Money is integer fen (分), never a float: fines, amounts owed, values.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An amount in fen (分). Serialised as a plain integer (`*_fen` fields).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[serde(transparent)]
#[schema(value_type = i64)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn get(self) -> i64 {
        self.0
    }

    /// 1500元, 12.50元.
    pub fn yuan_text(self) -> String {
        yuan_text(self)
    }
}

impl std::ops::Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0 + o.0)
    }
}

impl std::ops::Sub for Fen {
    type Output = Fen;
    fn sub(self, o: Fen) -> Fen {
        Fen(self.0 - o.0)
    }
}

impl std::ops::AddAssign for Fen {
    fn add_assign(&mut self, o: Fen) {
        self.0 += o.0;
    }
}

impl std::ops::SubAssign for Fen {
    fn sub_assign(&mut self, o: Fen) {
        self.0 -= o.0;
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(it: I) -> Fen {
        Fen(it.map(|f| f.0).sum())
    }
}

impl From<i64> for Fen {
    fn from(v: i64) -> Fen {
        Fen(v)
    }
}

/// `#[validate(range(min = 1))]` on a `Fen` field compares its fen.
impl validator::ValidateRange<i64> for Fen {
    fn greater_than(&self, max: i64) -> Option<bool> {
        Some(self.0 > max)
    }
    fn less_than(&self, min: i64) -> Option<bool> {
        Some(self.0 < min)
    }
}

/// 12,345.6 元 as Chinese documents write money: 12345.60元, whole yuan without decimals.
pub fn yuan_text(fen: impl Into<Fen>) -> String {
    let fen = fen.into().0;
    if fen % 100 == 0 {
        format!("{}元", fen / 100)
    } else {
        format!("{}.{:02}元", fen / 100, (fen % 100).abs())
    }
}
