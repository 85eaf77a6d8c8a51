//! 执行 — service and enforcement of a decision, pure: when it is served
//! and takes effect (APL Art 61; Civil Procedure Law Art 86–95), what the
//! party owes on a day — the fine and the late-payment surcharge (加处罚款,
//! Art 67, 72 ¶1 (1), 73 ¶3) —, payment plans (Art 66 ¶2), collection on
//! the spot (Art 68–70), the demand and the court (Compulsion Law Art 53–54).

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::{Calendar, Excluded};
use crate::cases::events::*;
use crate::cases::file::CaseFile;
use crate::cases::rules::Procedure;
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::kernel::Fen;

const APL: &str = "《中华人民共和国行政处罚法》";

/// The surcharge owed on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct LateFee {
    /// Days the surcharge ran: after the payment due day, up to and
    /// including the day asked about, without paused days.
    pub days: u32,
    /// 3 % of the fine per day, rounded down to the fen (in the party's
    /// favour), never above the fine itself.
    pub fee_fen: Fen,
    /// The cap (the fine amount) was reached.
    pub capped: bool,
}

/// APL Art 72 ¶1 (1): a party that does not pay by the due day is charged
/// 3 % of the fine for every day late, at most the amount of the fine.
/// Art 73 ¶3: days while administrative reconsideration or litigation is
/// pending (`paused`) do not count. `due` is the last day to pay (15 days
/// after service, Art 67 ¶3).
pub fn late_fee(fine: Fen, due: NaiveDate, on: NaiveDate, paused: &[Excluded]) -> LateFee {
    let mut days: u32 = 0;
    let mut d = due + Duration::days(1);
    while d <= on {
        if !paused.iter().any(|p| p.from <= d && d <= p.to) {
            days += 1;
        }
        d += Duration::days(1);
    }
    let fine = fine.get().max(0);
    let raw = i128::from(fine) * 3 * i128::from(days) / 100;
    let capped = raw >= i128::from(fine) && days > 0;
    LateFee {
        days,
        fee_fen: Fen(if capped { fine } else { raw as i64 }),
        capped,
    }
}

// ------------------------------------------------------------ service

/// Art 68–70: on-the-spot collection only on its grounds, with the finance
/// department's receipt.
pub fn check_on_the_spot(
    ground: OnTheSpotGround,
    procedure: Procedure,
    fine: Fen,
    receipt: Option<&str>,
) -> AppResult<()> {
    let ok = match ground {
        OnTheSpotGround::SmallFine => procedure == Procedure::Simplified && fine <= Fen(10_000),
        OnTheSpotGround::HardToEnforce => procedure == Procedure::Simplified,
        OnTheSpotGround::RemoteArea => true,
    };
    if !ok {
        return Err(AppError::rule_on_field(
            Code::OnTheSpotNotAllowed,
            "on_the_spot",
            format!("当场收缴罚款限于当场作出的一百元以下罚款、事后难以执行的罚款，或者边远、水上、交通不便地区（{APL}第六十八条、第六十九条）"),
        ));
    }
    if receipt.is_none_or(|r| r.trim().is_empty()) {
        return Err(AppError::rule_on_field(
            Code::OnTheSpotNotAllowed,
            "receipt_number",
            format!("当场收缴罚款的，必须向当事人出具财政部门统一制发的专用票据（{APL}第七十条）"),
        ));
    }
    Ok(())
}

/// Art 66 ¶2: what a plan may say. Returns its last day.
pub fn check_payment_plan(
    req: &PaymentPlanRequest,
    owed: &Owed,
    today: NaiveDate,
) -> AppResult<NaiveDate> {
    let unpaid_fine = (owed.fine_fen - owed.paid_fen).max(Fen::ZERO);
    if unpaid_fine == Fen::ZERO {
        return Err(AppError::rule(Code::NoFineToPay, "the fine is paid"));
    }
    // The plan's shape (a reason, no instalments in a deferral, two or more
    // positive instalments in date order) is checked with its body
    // (`PaymentPlanRequest`'s derive); here, what the fine and the day decide.
    let field =
        |f: &str, m: String| Err(AppError::validation(vec![FieldError::new(f, "invalid", m)]));
    let end = match req.kind {
        PlanKind::Deferral => match req.deferred_until {
            Some(d) if d > owed.due_on && d > today => d,
            _ => {
                return field(
                    "deferred_until",
                    format!(
                        "a day after the current last day to pay ({}) and after today",
                        owed.due_on
                    ),
                )
            }
        },
        PlanKind::Instalments => {
            let sum: Fen = req.instalments.iter().map(|x| x.amount_fen).sum();
            if sum != unpaid_fine {
                return field(
                    "instalments",
                    format!(
                        "the instalments add up to the unpaid fine, {} fen",
                        unpaid_fine.get()
                    ),
                );
            }
            let last = req.instalments.last().map(|x| x.due_on).unwrap_or(today);
            if last <= today {
                return field("instalments", "the last instalment lies after today".into());
            }
            last
        }
    };
    Ok(end)
}

/// Compulsion Law Art 54, 69: the court may be asked once the demand has
/// been served for 10 working days (its periods of 10 days or less are
/// working days).
pub fn demand_period_end(served_on: NaiveDate, cal: &Calendar) -> NaiveDate {
    cal.working_days_after(served_on, 10, &[]).date
}

/// Compulsion Law Art 53: the court may be asked once the party neither
/// sought reconsideration (60 days, Reconsideration Law Art 20) nor sued
/// (6 months, Administrative Litigation Law Art 46) in time, and within 3
/// months after that; Art 54: not before the demand's 10 working days.
/// Returns the window (first and last day).
pub fn court_window(served_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    let remedies_end = served_on
        .checked_add_months(chrono::Months::new(6))
        .unwrap_or(NaiveDate::MAX);
    let last = remedies_end
        .checked_add_months(chrono::Months::new(3))
        .unwrap_or(NaiveDate::MAX);
    (remedies_end + chrono::Duration::days(1), last)
}

pub fn check_court_enforcement(
    file: &CaseFile,
    applied_on: NaiveDate,
    demand_ends: Option<NaiveDate>,
) -> AppResult<()> {
    let Some(service) = file.service() else {
        return Err(AppError::rule(
            Code::DecisionNotServed,
            "the decision has not been served",
        ));
    };
    match demand_ends {
        None => {
            return Err(AppError::rule(
                Code::DeadlineNotReached,
                "申请人民法院强制执行前，应当催告当事人履行义务（《中华人民共和国行政强制法》第五十四条）",
            ))
        }
        Some(end) if applied_on <= end => {
            return Err(AppError::rule(
                Code::DeadlineNotReached,
                format!("催告书送达十日后（{end}之后）当事人仍未履行的，方可申请（《中华人民共和国行政强制法》第五十四条）"),
            ))
        }
        _ => {}
    }
    if file.remedies.iter().any(|r| r.body.outcome.is_none()) {
        return Err(AppError::rule(
            Code::DeadlineNotReached,
            "复议或者诉讼尚未终结",
        ));
    }
    let (first, last) = court_window(service.body.effective_on);
    if applied_on < first {
        return Err(AppError::rule(
            Code::DeadlineNotReached,
            format!("当事人在法定期限内不申请行政复议或者提起行政诉讼的，方可申请强制执行，最早{first}（《中华人民共和国行政强制法》第五十三条）"),
        ));
    }
    if applied_on > last {
        return Err(AppError::rule(
            Code::EnforcementPeriodExpired,
            format!("申请人民法院强制执行的期限已于{last}届满（期限届满之日起三个月内，《中华人民共和国行政强制法》第五十三条）"),
        ));
    }
    Ok(())
}

/// Art 61: the decision is served within 7 working days.
pub fn service_due(decided_on: NaiveDate, cal: &Calendar) -> NaiveDate {
    cal.working_days_after(decided_on, 7, &[]).date
}

/// The methods the law allows, each with what it needs (Art 61; CPL Art 86–95).
pub fn check_service(req: &ServiceRequest) -> AppResult<()> {
    match req.method {
        ServiceMethod::LeftAtResidence
            if req.witnesses.len() < 2 && req.photo_evidence_id.is_none() =>
        {
            Err(AppError::rule_on_field(
                Code::ServiceMethodNotAllowed,
                "witnesses",
                "留置送达须邀请有关基层组织或者所在单位的代表到场见证，或者采用拍照、录像等方式记录送达过程（民事诉讼法第八十九条）",
            ))
        }
        ServiceMethod::Electronic if !req.electronic_consent => Err(AppError::rule_on_field(
            Code::ServiceMethodNotAllowed,
            "electronic_consent",
            format!("当事人同意并签订确认书的，方可采用传真、电子邮件等方式送达（{APL}第六十一条第二款）"),
        )),
        _ => Ok(()),
    }
}

/// The day service takes effect: public notice is deemed served 30 days
/// after publication (CPL Art 95, 2023).
pub fn effective_service(method: ServiceMethod, served_on: NaiveDate) -> NaiveDate {
    match method {
        ServiceMethod::PublicNotice => served_on + chrono::Duration::days(30),
        _ => served_on,
    }
}

/// Art 67 ¶3: the fine is paid within 15 (calendar) days of service.
pub fn payment_due(effective_on: NaiveDate, cal: &Calendar) -> NaiveDate {
    cal.calendar_days_after(effective_on, 15, &[]).date
}

/// What the party owes on a day: the fine, the surcharge (Art 72: it runs
/// on the fine until the fine itself is paid), what was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Owed {
    pub fine_fen: Fen,
    pub due_on: NaiveDate,
    pub late_days: u32,
    pub late_fee_fen: Fen,
    pub capped: bool,
    pub paid_fen: Fen,
    pub outstanding_fen: Fen,
    /// The day the fine itself was paid in full, which stops the surcharge.
    pub fine_paid_on: Option<NaiveDate>,
    pub rounding: &'static str,
}

/// Payments go to the fine first; the surcharge counts until the day the
/// fine is paid in full (or `on`), not on `paused` days (an approved
/// deferral or instalment plan, Art 66; later: reconsideration or
/// litigation, Art 73).
pub fn owed(
    fine_fen: Fen,
    due_on: NaiveDate,
    payments: &[(NaiveDate, Fen)],
    on: NaiveDate,
    paused: &[Excluded],
) -> Owed {
    let mut sorted: Vec<(NaiveDate, Fen)> =
        payments.iter().copied().filter(|(d, _)| *d <= on).collect();
    sorted.sort();
    let mut running = Fen::ZERO;
    let mut fine_paid_on = None;
    for (d, a) in &sorted {
        running += *a;
        if running >= fine_fen && fine_paid_on.is_none() {
            fine_paid_on = Some(*d);
        }
    }
    let stop = fine_paid_on.unwrap_or(on).min(on);
    let fee = crate::execution::rules::late_fee(fine_fen, due_on, stop, paused);
    Owed {
        fine_fen,
        due_on,
        late_days: fee.days,
        late_fee_fen: fee.fee_fen,
        capped: fee.capped,
        paid_fen: running,
        outstanding_fen: (fine_fen + fee.fee_fen - running).max(Fen::ZERO),
        fine_paid_on,
        rounding: "每日按罚款数额的3%加处，按分向下取整，总额不超过罚款数额（行政处罚法第七十二条第一款第一项）",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn three_percent_a_day_rounded_down_and_capped_at_the_fine() {
        let due = day("2026-03-16");
        assert_eq!(
            late_fee(Fen(500_000), due, due, &[]).fee_fen,
            Fen(0),
            "on the due day nothing is late"
        );
        assert_eq!(
            late_fee(Fen(500_000), due, day("2026-03-17"), &[]),
            LateFee {
                days: 1,
                fee_fen: Fen(15_000),
                capped: false
            }
        );
        assert_eq!(
            late_fee(Fen(500_000), due, day("2026-03-26"), &[]).fee_fen,
            Fen(150_000)
        );
        // 1,001 fen × 3 % = 30.03 fen a day: two days are 60 fen, rounded down.
        assert_eq!(
            late_fee(Fen(1_001), due, day("2026-03-18"), &[]).fee_fen,
            Fen(60)
        );
        // Day 34 would be 102 %: the cap is the fine.
        let l = late_fee(Fen(500_000), due, day("2026-04-19"), &[]);
        assert_eq!((l.days, l.fee_fen, l.capped), (34, Fen(500_000), true));
        // Reconsideration pending for ten days does not count.
        let paused = [Excluded {
            from: day("2026-03-20"),
            to: day("2026-03-29"),
        }];
        assert_eq!(
            late_fee(Fen(500_000), due, day("2026-03-31"), &paused).days,
            5
        );
    }

    proptest! {
        #[test]
        fn never_above_the_fine_and_never_shrinking(fine in 1i64..100_000_000, late in 0i64..400, more in 0i64..30) {
            let due = day("2026-01-15");
            let a = late_fee(Fen(fine), due, due + Duration::days(late), &[]);
            let b = late_fee(Fen(fine), due, due + Duration::days(late + more), &[]);
            prop_assert!(a.fee_fen <= Fen(fine) && b.fee_fen <= Fen(fine));
            prop_assert!(a.fee_fen <= b.fee_fen);
            prop_assert_eq!(a.days as i64, late);
        }
    }
}
