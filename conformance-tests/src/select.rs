//! Which cases a run replays: `--only` globs (any of them), `--tag` (the operation's spec tags,
//! any of them; scenarios carry the tag `scenario`), minus `--exclude` globs. A glob matches a
//! case id (`operation/example`) or its operation id.

/// A glob with `*` (any run of characters) and `?` (one character).
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// The tag scenarios (`scenario/...`) carry for `--tag`.
pub const SCENARIO_TAG: &str = "scenario";

/// The selection of a run; empty lists select everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Cases matching any of these globs (all when empty).
    pub only: Vec<String>,
    /// Cases of operations with any of these tags (all when empty).
    pub tags: Vec<String>,
    /// Cases matching any of these globs are left out, whatever else selects them.
    pub exclude: Vec<String>,
}

fn matches(pattern: &str, id: &str) -> bool {
    let operation = id.split('/').next().unwrap_or(id);
    glob_matches(pattern, id) || glob_matches(pattern, operation)
}

impl Selection {
    /// Whether case `id`, of an operation tagged `tags`, is selected.
    pub fn selects(&self, id: &str, tags: &[String]) -> bool {
        let only = self.only.is_empty() || self.only.iter().any(|p| matches(p, id));
        let tagged = self.tags.is_empty()
            || self.tags.iter().any(|tag| {
                tags.contains(tag) || (tag == SCENARIO_TAG && id.starts_with("scenario/"))
            });
        let excluded = self.exclude.iter().any(|p| matches(p, id));
        only && tagged && !excluded
    }

    /// The selection as command-line flags, for messages.
    pub fn describe(&self) -> String {
        let mut words = Vec::new();
        for (flag, values) in [
            ("--only", &self.only),
            ("--tag", &self.tags),
            ("--exclude", &self.exclude),
        ] {
            for value in values {
                words.push(format!("{flag} '{value}'"));
            }
        }
        if words.is_empty() {
            "everything".to_owned()
        } else {
            words.join(" ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn several_only_globs_select_their_union_minus_the_excluded() {
        let selection = Selection {
            only: tags(&["signin/*", "del_*"]),
            exclude: tags(&["*/ok"]),
            ..Selection::default()
        };
        assert!(selection.selects("signin/wrong_password", &[]));
        assert!(selection.selects("del_order/not_found", &[]));
        assert!(!selection.selects("signin/ok", &[]));
        assert!(!selection.selects("list_customer/ok", &[]));
    }

    #[test]
    fn a_tag_selects_the_cases_of_its_operations_and_scenario_the_scenarios() {
        let selection = Selection {
            tags: tags(&["dept", "scenario"]),
            ..Selection::default()
        };
        assert!(selection.selects("dept_approve/success", &tags(&["dept"])));
        assert!(!selection.selects("inst_approve/success", &tags(&["inst"])));
        assert!(selection.selects("scenario/token_refresh", &[]));
        assert_eq!(
            selection.describe(),
            "--tag 'dept' --tag 'scenario'",
            "messages name the selection as flags"
        );
    }
}
