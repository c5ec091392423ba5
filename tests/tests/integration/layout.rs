//! The server's modules form layers: no file of `server/src` reaches, through its
//! `use crate::…` imports, back to itself. A cycle would mean two modules that can only be
//! understood together; this keeps the restructure's promise checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, by its module path (`rooms::task`, `app` for `app/mod.rs`).
fn modules(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            let mut p = prefix.to_vec();
            p.push(name);
            modules(&path, &p, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut p = prefix.to_vec();
            if !matches!(name.as_str(), "mod" | "lib" | "main") {
                p.push(name);
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Imports of a file's own tests do not make a layer.
            let code = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .to_string();
            out.insert(p.join("::"), code);
        }
    }
}

/// The modules `code` imports from the crate, resolved to the longest known module path.
fn imports(code: &str, known: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let resolve = |path: &str| {
        let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        (1..=segs.len())
            .rev()
            .map(|k| segs[..k].join("::"))
            .find(|c| known.contains_key(c))
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let end = rest
            .find(|c: char| {
                !(c.is_alphanumeric()
                    || c == '_'
                    || c == ':'
                    || c == '{'
                    || c == '}'
                    || c == ','
                    || c == ' ')
            })
            .unwrap_or(rest.len());
        let path = &rest[..end];
        match path.split_once('{') {
            Some((base, group)) => {
                for item in group.split(['}', ',']) {
                    let item = item.trim().split(' ').next().unwrap_or_default();
                    if let Some(m) = resolve(&format!("{base}{item}")) {
                        found.insert(m);
                    }
                }
            }
            None => {
                if let Some(m) = resolve(path) {
                    found.insert(m);
                }
            }
        }
    }
    found
}

#[test]
fn no_server_module_imports_its_way_back_to_itself() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../server/src");
    let mut known = BTreeMap::new();
    modules(&src, &[], &mut known);
    assert!(known.contains_key("rooms::task") && known.contains_key("http::caller"));
    let edges: BTreeMap<&String, BTreeSet<String>> = known
        .iter()
        .map(|(m, code)| {
            let mut to = imports(code, &known);
            // A module may name its parents (their re-exports) and itself.
            to.retain(|t| t != m && !m.starts_with(&format!("{t}::")) && !t.is_empty());
            (m, to)
        })
        .collect();
    // Depth-first search for a path from each module back to itself.
    fn reaches(
        from: &str,
        target: &str,
        edges: &BTreeMap<&String, BTreeSet<String>>,
        seen: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> bool {
        for next in edges.get(&from.to_string()).into_iter().flatten() {
            if next == target {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if reaches(next, target, edges, seen, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    for m in known.keys() {
        let mut path = vec![m.clone()];
        let found = reaches(m, m, &edges, &mut BTreeSet::new(), &mut path);
        assert!(!found, "an import cycle: {}", path.join(" -> "));
    }
}
