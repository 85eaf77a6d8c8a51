//! Enforcement items (权责清单) with their legal basis.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    items_are_loaded_with_citations,
    items_filter_by_department_domain_and_text,
    public_items_need_no_token
);

async fn items_are_loaded_with_citations(app: TestApp) {
    let t = app.token("li.officer").await;
    let (s, b) = app.get("/enforcement-items?limit=500", Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    let items = b["items"].as_array().unwrap();
    assert!(items.len() >= 30, "{} items", items.len());
    let domains: BTreeSet<&str> = items
        .iter()
        .map(|i| i["domain"].as_str().unwrap())
        .collect();
    for d in [
        "market_regulation",
        "ecology_environment",
        "transport",
        "urban_management",
        "work_safety",
    ] {
        assert!(domains.contains(d), "missing domain {d}");
    }
    for i in items {
        assert!(
            !i["violation_basis"].as_array().unwrap().is_empty(),
            "{}",
            i["code"]
        );
        assert!(
            !i["penalty_basis"].as_array().unwrap().is_empty(),
            "{}",
            i["code"]
        );
        assert!(!i["penalty_types"].as_array().unwrap().is_empty());
    }
    let (s, item) = app.get("/enforcement-items/MR-FS-001", Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(item["penalty_basis"][0]["law"], "中华人民共和国食品安全法");
    assert_eq!(item["penalty_basis"][0]["article"], 122);
    assert_eq!(
        item["penalty_basis_text"][0],
        "《中华人民共和国食品安全法》第一百二十二条第一款"
    );
    assert_eq!(item["serious_safety"], true);
    let holders: Vec<&str> = item["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert!(holders.contains(&"五华区市场监督管理局"), "{holders:?}");
    assert!(!holders.contains(&"昆明市生态环境局"));
    assert_eq!(
        app.get("/enforcement-items/NOPE-1", Some(&t)).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn items_filter_by_department_domain_and_text(app: TestApp) {
    let t = app.token("sun.officer").await;
    let eco = app.department("530100-sthjj").await;
    let (_, b) = app
        .get(&format!("/enforcement-items?department_id={eco}"), Some(&t))
        .await;
    let items = b["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["domain"] == "ecology_environment"));
    let (_, b) = app
        .get(
            "/enforcement-items?domain=transport&high_frequency=true",
            Some(&t),
        )
        .await;
    assert!(b["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["domain"] == "transport" && i["high_frequency"] == true));
    let (_, b) = app
        .get(
            &format!("/enforcement-items?q={}", urlencode("食品")),
            Some(&t),
        )
        .await;
    assert!(b["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["name"].as_str().unwrap().contains("食品")));
    assert!(!b["items"].as_array().unwrap().is_empty());
}

async fn public_items_need_no_token(app: TestApp) {
    let (s, b) = app
        .get("/public/enforcement-items?domain=market_regulation", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(!b["items"].as_array().unwrap().is_empty());
    assert_eq!(
        app.get("/enforcement-items", None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}
