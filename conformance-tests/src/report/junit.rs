//! JUnit XML: one `<testsuite>` per API, one `<testcase>` per case.

use std::fmt::Write as _;

use super::{Outcome, Report, failure_text};

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

pub fn junit(report: &Report) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    writeln!(
        xml,
        "<testsuites name=\"medsys-conformance\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        report.results.len(),
        report.unknown_failures(),
        report.skipped() + (report.failed() - report.unknown_failures()),
        report.millis as f64 / 1000.0
    )
    .ok();
    // Inside each <testsuite>, where the JUnit schema has them.
    let mut props = String::from("    <properties>\n");
    let mut properties = vec![
        ("started_at".to_owned(), report.started_at.clone()),
        ("tool_version".to_owned(), report.tool_version.clone()),
        ("base_url".to_owned(), report.base_url.clone()),
    ];
    for (file, sha) in &report.specs {
        properties.push((format!("sha256:{file}"), sha.clone()));
    }
    for (name, value) in properties {
        writeln!(
            props,
            "      <property name=\"{}\" value=\"{}\"/>",
            escape(&name),
            escape(&value)
        )
        .ok();
    }
    props.push_str("    </properties>\n");
    let mut apis: Vec<&str> = report.results.iter().map(|r| r.api.as_str()).collect();
    apis.dedup();
    for api in apis {
        let results: Vec<_> = report.results.iter().filter(|r| r.api == api).collect();
        writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            escape(api),
            results.len(),
            results.iter().filter(|r| r.failed() && !r.known).count(),
            results
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Skipped(_)) || r.known)
                .count()
        )
        .ok();
        xml.push_str(&props);
        for result in results {
            let (classname, name) = result.id.split_once('/').unwrap_or(("", &result.id));
            write!(
                xml,
                "    <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3}\"",
                escape(api),
                escape(classname),
                escape(name),
                result.millis as f64 / 1000.0
            )
            .ok();
            match &result.outcome {
                Outcome::Passed => xml.push_str("/>\n"),
                Outcome::Skipped(reason) => {
                    writeln!(
                        xml,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        escape(reason)
                    )
                    .ok();
                }
                // A departure the baseline knows must not turn a CI red: it is shown as skipped,
                // with its problems.
                Outcome::Failed if result.known => {
                    let first = result.problems.first().cloned().unwrap_or_default();
                    writeln!(
                        xml,
                        ">\n      <skipped message=\"known departure (baseline): {}\"/>\n    </testcase>",
                        escape(&first)
                    )
                    .ok();
                }
                Outcome::Failed => {
                    let first = result.problems.first().cloned().unwrap_or_default();
                    writeln!(
                        xml,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        escape(&first),
                        escape(&failure_text(result))
                    )
                    .ok();
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}
