//! The structure the code keeps, checked on its source: no import cycle
//! spans two capabilities, only `cases` and `records` write the case row,
//! rules name codes and never HTTP statuses, and the routes are listed once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file (`src/cases/change.rs` → `cases::change`,
/// `src/cases/mod.rs` → `cases`, `src/lib.rs` → the root).
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let mut parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// The source without its `#[cfg(test)]` tail and comments.
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("readable");
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => &text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names: `crate::a::b`, `super::c`, and the members of
/// `crate::{…}` / `super::{…}` groups.
fn paths_named(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = vec![];
    let group = Regex::new(r"(crate|(?:super::)+)((?:::)?(?:\w+::)*)\{").unwrap();
    let plain = Regex::new(r"(?:^|[^\w:])(crate|(?:super::)+)((?:::)?\w+(?:::\w+)*)").unwrap();
    let base = |head: &str| -> Vec<String> {
        if head == "crate" {
            return vec![];
        }
        // A file's `super` is its folder's module; `mod.rs` is its folder's.
        let ups = head.matches("super::").count();
        module[..module.len().saturating_sub(ups)].to_vec()
    };
    let split = |s: &str| -> Vec<String> {
        s.split("::")
            .filter(|x| !x.is_empty() && *x != "*" && *x != "self")
            .map(str::to_string)
            .collect()
    };
    for c in group.captures_iter(code) {
        let start = c.get(0).unwrap().end();
        let mut depth = 1;
        let mut end = start;
        for (i, ch) in code[start..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let mut prefix = base(&c[1]);
        prefix.extend(split(&c[2]));
        for item in code[start..end].split([',', '{', '}']) {
            let item = item.split(" as ").next().unwrap_or("").trim();
            let mut p = prefix.clone();
            p.extend(split(item));
            out.push(p);
        }
    }
    for c in plain.captures_iter(code) {
        let mut p = base(&c[1]);
        p.extend(split(&c[2]));
        out.push(p);
    }
    out
}

#[test]
fn no_import_cycle_spans_two_capabilities() {
    let mut files = vec![];
    rust_files(&src(), &mut files);
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .filter(|f| !f.ends_with("main.rs"))
        .map(|f| (module_of(f), f.clone()))
        .collect();
    // The longest prefix of a path that is a file of its own.
    let resolve = |path: &[String]| -> Vec<String> {
        (0..=path.len())
            .rev()
            .map(|i| path[..i].to_vec())
            .find(|p| modules.contains_key(p))
            .unwrap_or_default()
    };
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, file) in &modules {
        let code = code_of(file);
        let targets = edges.entry(module.clone()).or_default();
        for p in paths_named(&code, module) {
            let t = resolve(&p);
            if &t != module {
                targets.insert(t);
            }
        }
    }
    // Strongly connected components (Tarjan).
    struct Tarjan<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<Vec<String>, usize>,
        low: BTreeMap<Vec<String>, usize>,
        stack: Vec<Vec<String>>,
        on: BTreeSet<Vec<String>>,
        next: usize,
        found: Vec<Vec<Vec<String>>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: &Vec<String>) {
            self.index.insert(v.clone(), self.next);
            self.low.insert(v.clone(), self.next);
            self.next += 1;
            self.stack.push(v.clone());
            self.on.insert(v.clone());
            let targets: Vec<Vec<String>> = self
                .edges
                .get(v)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            for w in targets {
                if !self.index.contains_key(&w) {
                    self.visit(&w);
                    let l = self.low[v].min(self.low[&w]);
                    self.low.insert(v.clone(), l);
                } else if self.on.contains(&w) {
                    let l = self.low[v].min(self.index[&w]);
                    self.low.insert(v.clone(), l);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = vec![];
                while let Some(w) = self.stack.pop() {
                    self.on.remove(&w);
                    let done = &w == v;
                    component.push(w);
                    if done {
                        break;
                    }
                }
                self.found.push(component);
            }
        }
    }
    let mut t = Tarjan {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        on: BTreeSet::new(),
        next: 0,
        found: vec![],
    };
    for v in edges.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    let name = |m: &Vec<String>| {
        if m.is_empty() {
            "crate".to_string()
        } else {
            m.join("::")
        }
    };
    let spanning: Vec<String> = t
        .found
        .iter()
        .filter(|c| {
            c.iter()
                .map(|m| m.first().cloned().unwrap_or_default())
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        })
        .map(|c| c.iter().map(name).collect::<Vec<_>>().join(", "))
        .collect();
    assert!(
        spanning.is_empty(),
        "import cycles across capabilities: {spanning:#?}"
    );
    // The graph was really read: the change pipeline names its neighbours.
    assert!(edges[&vec!["cases".to_string(), "change".to_string()]]
        .contains(&vec!["records".to_string()]));
}

#[test]
fn only_cases_and_records_write_the_case_row() {
    let mut files = vec![];
    rust_files(&src(), &mut files);
    let write =
        Regex::new(r"(?:update|insert_into|delete)\(\s*(?:crate::db::schema::)?cases::table")
            .unwrap();
    let mut writers = vec![];
    for f in &files {
        let m = module_of(f);
        if matches!(m.first().map(String::as_str), Some("cases" | "records")) {
            continue;
        }
        if write.is_match(&code_of(f)) {
            writers.push(f.display().to_string());
        }
    }
    assert!(writers.is_empty(), "the case row written by {writers:?}");
}

#[test]
fn rules_name_codes_never_http_statuses() {
    let mut files = vec![];
    rust_files(&src(), &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "rules.rs"))
        .filter(|f| code_of(f).contains("StatusCode"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[test]
fn the_routes_are_listed_once() {
    // The OpenAPI document lists no paths of its own: it is built from the
    // routes the capabilities register.
    let openapi = code_of(&src().join("openapi.rs"));
    assert!(!openapi.contains("paths("), "openapi.rs lists paths");
    let lib = code_of(&src().join("lib.rs"));
    assert!(!lib.contains("::api::"), "lib.rs registers handlers");
    // Each capability lists its routes once, in its api.rs: the list the
    // served document and the router are both built from.
    let routes = code_of(&src().join("routes.rs"));
    assert!(routes.contains("workflow::api::routes(r)"), "{routes}");
}
