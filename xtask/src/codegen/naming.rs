//! Rust names and doc comments from spec names and descriptions.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// `budgetUnitPrice` → `budget_unit_price`, `create_date` stays.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c == '-' || c == ' ' {
            out.push('_');
            previous_lower = false;
        } else {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// `list_customer` → `ListCustomer`, `applyDept` → `ApplyDept`.
pub fn pascal_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if c == '_' || c == '-' || c == ' ' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// An identifier, made raw when it is a keyword (`type` → `r#type`).
pub fn ident(name: &str) -> Ident {
    if syn::parse_str::<Ident>(name).is_ok() {
        Ident::new(name, Span::call_site())
    } else {
        Ident::new_raw(name, Span::call_site())
    }
}

/// Whether `name` can be an identifier (possibly raw).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || unicode_start(first))
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && name != "_"
}

fn unicode_start(c: char) -> bool {
    c.is_alphabetic()
}

/// `#[doc = ...]` attributes for a description, made safe for rustdoc: no indented code blocks,
/// fences marked as text, brackets and angle brackets outside code spans escaped, bare URLs
/// wrapped.
pub fn docs(text: &str) -> TokenStream {
    doc_attrs(&doc_lines(text))
}

/// `#[doc]` attributes of lines already in Markdown (nothing escaped: links stay links).
pub fn doc_attrs(lines: &[String]) -> TokenStream {
    let attrs = lines.iter().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#attrs)*)
}

/// The lines of [`docs`], without attributes.
pub fn doc_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut in_fence = false;
    let mut in_list = false;
    for raw in text.trim().lines() {
        let line = raw.trim_start();
        if line.starts_with("```") {
            lines.push(if in_fence {
                "```".to_owned()
            } else {
                "```text".to_owned()
            });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            lines.push(raw.trim_end().to_owned());
            continue;
        }
        if line.is_empty() {
            in_list = false;
            lines.push(String::new());
            continue;
        }
        // Up to three spaces keep list continuations aligned; four would start a code block.
        let indent = (raw.len() - line.len()).min(3);
        let item = is_list_item(line);
        if in_list && indent == 0 && !item {
            // A paragraph right after a list: separate it instead of continuing the last item.
            lines.push(String::new());
            in_list = false;
        }
        in_list |= item;
        lines.push(format!("{}{}", " ".repeat(indent), escape(line.trim_end())));
    }
    lines
}

fn is_list_item(line: &str) -> bool {
    if line.starts_with("- ") || line.starts_with("* ") {
        return true;
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && line[digits..].starts_with(". ")
}

fn escape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            in_code = !in_code;
        }
        if !in_code {
            if rest.starts_with("http://") || rest.starts_with("https://") {
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == ')' || c == ',')
                    .unwrap_or(rest.len());
                let url = rest[..end].trim_end_matches('.');
                out.push('<');
                out.push_str(url);
                out.push('>');
                rest = &rest[url.len()..];
                continue;
            }
            match c {
                '[' | ']' | '<' | '>' | '*' | '_' => {
                    if matches!(c, '[' | ']' | '<' | '>') {
                        out.push('\\');
                    }
                    out.push(c);
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_convert_between_cases() {
        assert_eq!(snake_case("budgetUnitPrice"), "budget_unit_price");
        assert_eq!(snake_case("create_date"), "create_date");
        assert_eq!(snake_case("hasFile"), "has_file");
        assert_eq!(pascal_case("list_customer"), "ListCustomer");
        assert_eq!(pascal_case("applyDept"), "ApplyDept");
        assert_eq!(ident("type").to_string(), "r#type");
    }

    #[test]
    fn docs_escape_links_and_tags_outside_code() {
        assert_eq!(escape("a [b] `<c>` <d>"), "a \\[b\\] `<c>` \\<d\\>");
        assert_eq!(escape("see http://x.org/a."), "see <http://x.org/a>.");
    }
}
