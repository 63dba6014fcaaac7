//! wiremock tests from the spec's cases: for every case the SDK can express, a test that the
//! request is the documented one and that the documented response decodes to the right value
//! or error.

use std::str::FromStr;

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use super::client::{ArgKind, Plan, Return};
use super::naming::{ident, is_identifier};
use super::spec::{Flavor, Operation, Response, Shape, Spec, is_json, str_of};
use super::types::properties;

/// A case that got no test, and why.
struct Skipped {
    case: String,
    reason: String,
}

/// The test module of one spec; its doc comment counts the cases tested and skipped.
pub fn tests(spec: &Spec, ops: &[Operation<'_>], plans: &[Plan]) -> TokenStream {
    let mut modules = Vec::new();
    let mut tested = 0;
    let mut skipped = Vec::new();
    for (op, plan) in ops.iter().zip(plans) {
        let mut functions = Vec::new();
        let mut skipped_here = Vec::new();
        for response in &op.responses {
            for (case, example) in &response.examples {
                match case_test(spec, op, plan, response, case, example) {
                    Ok(function) => {
                        functions.push(function);
                        tested += 1;
                    }
                    Err(reason) => skipped_here.push(Skipped {
                        case: case.clone(),
                        reason,
                    }),
                }
            }
        }
        let mut doc = format!(" Cases of `{}`.", op.id);
        if !skipped_here.is_empty() {
            doc.push_str(" Not tested, because the typed API cannot send their request:");
        }
        let skip_docs = skipped_here
            .iter()
            .map(|s| format!(" - `{}`: {}", s.case, s.reason));
        let module = ident(&op.id);
        modules.push(quote! {
            #[doc = #doc]
            #(#[doc = #skip_docs])*
            mod #module {
                #[allow(unused_imports)]
                use super::*;
                #(#functions)*
            }
        });
        skipped.extend(skipped_here);
    }
    let total = tested + skipped.len();
    let summary = format!(
        " {total} cases: {tested} tested, {} skipped (listed on each operation's module).",
        skipped.len()
    );
    let api = match spec.flavor {
        Flavor::Mgr => quote!(medsys_client::mgr),
        Flavor::Procurement => quote!(medsys_client::procurement),
    };
    quote! {
        #![doc = #summary]
        #[allow(unused_imports)]
        use #api::*;
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer};

        use crate::support::*;

        #(#modules)*
    }
}

fn is_invalid(example: &Value) -> bool {
    example.get("x-invalid-request").and_then(Value::as_bool) == Some(true)
}

/// JSON text of a value, as a raw string literal when it can be one.
fn json_literal(value: &Value) -> TokenStream {
    string_literal(&value.to_string())
}

fn string_literal(text: &str) -> TokenStream {
    if !text.contains("\"#")
        && text.contains('"')
        && let Ok(literal) = Literal::from_str(&format!("r#\"{text}\"#"))
    {
        return quote!(#literal);
    }
    quote!(#text)
}

/// A parameter or multipart value as text.
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn case_test(
    spec: &Spec,
    op: &Operation<'_>,
    plan: &Plan,
    response: &Response<'_>,
    case: &str,
    example: &Value,
) -> Result<TokenStream, String> {
    let label = format!("{} / {case}", op.id);
    // Parameters.
    let mut values: Vec<(String, Value)> = Vec::new();
    let mut query: Vec<(String, String)> = Vec::new();
    for param in &op.params {
        let found = param
            .examples
            .and_then(|examples| examples.get(case))
            .map(|example| spec.resolve(example));
        if let Some(found) = found
            && is_invalid(found)
        {
            return Err("its request is marked `x-invalid-request`".to_owned());
        }
        let value = found.and_then(|found| found.get("value"));
        match (spec.shape(param.schema), value) {
            (Shape::Const(constant), Some(value)) => {
                if *value != constant || !param.required {
                    return Err(format!(
                        "it sends `{}` = {value}, which the SDK fills in itself",
                        param.name
                    ));
                }
                query.push((param.name.clone(), text(value)));
            }
            (Shape::Const(constant), None) => {
                if param.required {
                    return Err(format!(
                        "it omits `{}`, which the SDK always sends ({constant})",
                        param.name
                    ));
                }
            }
            (_, Some(value)) => {
                if !fits(spec, value, param.schema) {
                    return Err(format!(
                        "its `{}` ({value}) does not fit the parameter's type",
                        param.name
                    ));
                }
                if param.location == "query" {
                    query.push((param.name.clone(), text(value)));
                }
                values.push((param.name.clone(), value.clone()));
            }
            (_, None) => {
                if param.required {
                    return Err(format!(
                        "it omits the required parameter `{}`, which is a required argument",
                        param.name
                    ));
                }
            }
        }
    }
    let value_of = |name: &str| values.iter().find(|(n, _)| n == name).map(|(_, v)| v);

    // Call arguments. An `x-caller` argument is passed explicitly, through `<op>_for`.
    let mut args = Vec::new();
    let mut setup = Vec::new();
    for arg in plan.path_args.iter().chain(&plan.query_args) {
        if arg.required && value_of(&arg.wire).is_none() {
            return Err(format!(
                "it does not send `{}` as a parameter, which the SDK always sends",
                arg.wire
            ));
        }
    }
    if let Some(caller) = &plan.caller_arg {
        args.push(arg_literal(&caller.kind, value_of(&caller.wire), true));
    }
    for arg in &plan.path_args {
        args.push(arg_literal(&arg.kind, value_of(&arg.wire), true));
    }
    if let Some(params) = &plan.params_struct {
        let object: serde_json::Map<String, Value> = plan
            .query_args
            .iter()
            .filter(|arg| !arg.caller)
            .filter_map(|arg| Some((arg.wire.clone(), value_of(&arg.wire)?.clone())))
            .collect();
        let params = ident(params);
        let json = json_literal(&Value::Object(object));
        setup.push(quote!(let params: #params = value(#json);));
        args.push(quote!(&params));
    } else {
        for arg in plan.query_args.iter().filter(|arg| !arg.caller) {
            args.push(arg_literal(&arg.kind, value_of(&arg.wire), arg.required));
        }
    }
    if let (Some(body), None) = (&op.body, &plan.body) {
        let sends_body = body.media.iter().any(|(_, content)| {
            content
                .get("examples")
                .and_then(|examples| examples.get(case))
                .is_some()
        });
        if sends_body {
            return Err(
                "it sends its value in the body; the SDK sends the query parameter instead"
                    .to_owned(),
            );
        }
    }

    // Body.
    let mut body_matcher = quote!();
    if let (Some(body), Some(body_plan)) = (&op.body, &plan.body) {
        let found = body.media.iter().find_map(|(media, content)| {
            let example = content.get("examples")?.get(case)?;
            Some((media.as_str(), spec.resolve(example)))
        });
        match found {
            None if body_plan.required => {
                return Err("it sends no body, which is a required argument".to_owned());
            }
            None => args.push(quote!(None)),
            Some((media, found)) => {
                if is_invalid(found) {
                    return Err("its request is marked `x-invalid-request`".to_owned());
                }
                if media != body_plan.media {
                    return Err(format!(
                        "it sends the body as `{media}`; the SDK sends `{}`",
                        body_plan.media
                    ));
                }
                let value = found.get("value").cloned().unwrap_or(Value::Null);
                if !fits(spec, &value, &body_plan.schema) {
                    return Err(
                        "its body does not fit the schema (missing, extra or mistyped members)"
                            .to_owned(),
                    );
                }
                let ty = &body_plan.type_tokens;
                let wrap = |tokens: TokenStream| {
                    if body_plan.required {
                        tokens
                    } else {
                        quote!(Some(#tokens))
                    }
                };
                if body_plan.multipart.is_empty() {
                    let stripped = json_literal(&strip(spec, &value, &body_plan.schema));
                    setup.push(quote!(let body: #ty = value(#stripped);));
                    args.push(wrap(quote!(&body)));
                    body_matcher = if media == "application/x-www-form-urlencoded" {
                        let pairs = form_pairs(&value);
                        quote!(.and(form_body(&[#((#pairs)),*])))
                    } else {
                        let json = json_literal(&value);
                        quote!(.and(json_body(#json)))
                    };
                } else {
                    let (literal, parts) = multipart(spec, body_plan, ty, found, &value)?;
                    setup.push(quote!(let body = #literal;));
                    args.push(wrap(quote!(body)));
                    body_matcher = quote!(.and(multipart_body(vec![#(#parts),*])));
                }
            }
        }
    }

    // Credentials.
    let auth = str_of(example, "x-auth");
    let public = op.is_public();
    let (client, auth_matcher) = match spec.flavor {
        Flavor::Mgr => {
            if public || auth == "none" {
                (
                    quote!(mgr_client(&server, false)),
                    quote!(.and(header_is("cookie", None))),
                )
            } else {
                (
                    quote!(mgr_client(&server, true)),
                    quote!(.and(header_is("cookie", Some(SESSION_COOKIE)))),
                )
            }
        }
        Flavor::Procurement => {
            let token = match (public, auth) {
                (true, _) | (_, "none") => None,
                (_, "malformed") => Some(quote!(TOKEN_MALFORMED)),
                (_, "expired") => Some(quote!(TOKEN_EXPIRED)),
                (_, "replaced") => Some(quote!(TOKEN_REPLACED)),
                _ => Some(quote!(TOKEN_VALID)),
            };
            match token {
                None => (
                    quote!(procurement_client(&server, None)),
                    quote!(.and(header_is("authorization", None))),
                ),
                Some(token) => (
                    quote!(procurement_client(&server, Some(#token))),
                    quote!(.and(header_is("authorization", Some(#token)))),
                ),
            }
        }
    };

    // Response and expectation.
    let status = response.status;
    let mut after = Vec::new();
    let (template, expect) = if is_json(&response.media) {
        let value = example.get("value").cloned().unwrap_or(Value::Null);
        let body = json_literal(&value);
        let mut template = quote!(json_response(#status, #body));
        let expect = expectation(spec, plan, status, &value, &label)?;
        let success = match spec.flavor {
            Flavor::Mgr => value.get("ret") == Some(&Value::from(0)),
            Flavor::Procurement => value.get("success") == Some(&Value::Bool(true)),
        };
        if success {
            for (name, header) in response.headers.into_iter().flatten() {
                let header = spec.resolve(header);
                match (spec.flavor, name.to_ascii_lowercase().as_str()) {
                    (Flavor::Mgr, "set-cookie") => {
                        if let Some(cookie) = header.get("example").and_then(Value::as_str) {
                            template = quote!(#template.insert_header("set-cookie", #cookie));
                            let id = cookie
                                .split(';')
                                .next()
                                .and_then(|pair| pair.split_once('='))
                                .map_or("", |(_, id)| id);
                            // A cookie that expires the session (signout's) leaves the client
                            // without one; any other sets it.
                            let expires = id.is_empty()
                                || cookie.split(';').any(|attribute| {
                                    attribute.trim().eq_ignore_ascii_case("max-age=0")
                                });
                            let expected = if expires {
                                quote!(None)
                            } else {
                                quote!(Some(#id))
                            };
                            after.push(quote!(assert_eq!(client.session_id().as_ref().map(medsys_client::SessionId::expose), #expected, #label);));
                        }
                    }
                    (Flavor::Procurement, "authorization") if public => {
                        template = quote!(#template.insert_header("authorization", TOKEN_ISSUED));
                        after.push(
                            quote!(assert_eq!(client.token().as_ref().map(medsys_client::Token::expose), Some(TOKEN_ISSUED), #label);),
                        );
                    }
                    _ => {}
                }
            }
        }
        (template, expect)
    } else {
        let media = &response.media;
        let bytes = format!("content of {} ({case})", op.id);
        let disposition = response
            .headers
            .into_iter()
            .flatten()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-disposition"))
            .and_then(|(_, header)| {
                let header = spec.resolve(header);
                let schema = header.get("schema")?;
                schema
                    .get("const")
                    .or_else(|| header.get("example"))
                    .or_else(|| schema.get("example"))
                    .and_then(Value::as_str)
            });
        let mut template = quote!(file_response(#status, #media, #bytes.as_bytes()));
        let file_name = match disposition {
            Some(disposition) => {
                template = quote!(#template.insert_header("content-disposition", #disposition));
                let name = expected_file_name(disposition);
                quote!(Some(#name))
            }
            None => quote!(None),
        };
        let expect =
            quote!(assert_download(#label, result, #bytes.as_bytes(), #media, #file_name););
        (template, expect)
    };

    let function = if is_identifier(case) && syn::parse_str::<syn::Ident>(case).is_ok() {
        ident(case)
    } else {
        ident(&format!("case_{case}"))
    };
    let summary = format!(" {}", str_of(example, "summary"));
    let http_method = &plan.method;
    let expected_path = expected_path(&op.path, &values);
    let method_name = if plan.caller_arg.is_some() {
        ident(&format!("{}_for", plan.id))
    } else {
        ident(&plan.id)
    };
    let query_pairs = query.iter().map(|(name, value)| quote!((#name, #value)));
    Ok(quote! {
        #[doc = #summary]
        #[tokio::test]
        async fn #function() {
            let server = MockServer::start().await;
            Mock::given(method(#http_method))
                .and(path(#expected_path))
                .and(query_is(&[#(#query_pairs),*]))
                #auth_matcher
                #body_matcher
                .respond_with(#template)
                .expect(1)
                .mount(&server)
                .await;
            let client = #client;
            #(#setup)*
            let result = client.#method_name(#(#args),*).await;
            #expect
            #(#after)*
        }
    })
}

/// The assertion on the method's result for a JSON response.
fn expectation(
    spec: &Spec,
    plan: &Plan,
    status: u16,
    value: &Value,
    label: &str,
) -> Result<TokenStream, String> {
    let ok = |data: &Value| match (&plan.ret, &plan.success_schema) {
        (Return::Json(_), Some(schema)) => {
            let expected = json_literal(&strip(spec, data, schema));
            quote!(assert_ok_json(#label, result, #expected);)
        }
        _ => quote!(assert_ok_unit(#label, result);),
    };
    match spec.flavor {
        Flavor::Mgr => {
            if status == 302 {
                return Ok(quote!(assert_not_logged_in(#label, result);));
            }
            let ret = value
                .get("ret")
                .and_then(Value::as_i64)
                .ok_or("its response has no integer `ret`")?;
            if ret == 0 {
                Ok(ok(value))
            } else {
                let msg = str_of(value, "msg");
                Ok(quote!(assert_mgr_error(#label, result, #ret, #msg);))
            }
        }
        Flavor::Procurement => match value.get("success").and_then(Value::as_bool) {
            Some(true) => Ok(ok(value.get("data").unwrap_or(&Value::Null))),
            Some(false) => {
                let code = value
                    .get("code")
                    .and_then(Value::as_i64)
                    .ok_or("its response has no integer `code`")?;
                let msg = str_of(value, "msg");
                Ok(quote!(assert_procurement_error(#label, result, #code, #msg);))
            }
            None => Err("its response has no boolean `success`".to_owned()),
        },
    }
}

fn arg_literal(kind: &ArgKind, value: Option<&Value>, required: bool) -> TokenStream {
    let Some(value) = value else {
        return quote!(None);
    };
    let literal = match kind {
        ArgKind::Str => {
            let text = text(value);
            quote!(#text)
        }
        ArgKind::Int(_) => {
            let number = Literal::i64_unsuffixed(value.as_i64().unwrap_or_default());
            quote!(#number)
        }
        ArgKind::Copy(ty) => {
            let json = json_literal(value);
            quote!(value::<#ty>(#json))
        }
        ArgKind::Id(ty) => {
            let text = text(value);
            quote!(&#ty::from(#text))
        }
    };
    if required {
        literal
    } else {
        quote!(Some(#literal))
    }
}

fn expected_path(path: &str, values: &[(String, Value)]) -> String {
    let mut out = path.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), &text(value));
    }
    out
}

fn form_pairs(value: &Value) -> Vec<TokenStream> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| {
            let value = text(value);
            quote!(#name, #value)
        })
        .collect()
}

/// The multipart body literal and the expected parts.
fn multipart(
    spec: &Spec,
    body: &super::client::BodyPlan,
    ty: &TokenStream,
    example: &Value,
    value: &Value,
) -> Result<(TokenStream, Vec<TokenStream>), String> {
    let schema = spec.resolve(&body.schema);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut new_args = Vec::new();
    let mut setters = Vec::new();
    let mut parts = Vec::new();
    for (wire, is_file) in &body.multipart {
        let field_name = super::naming::snake_case(wire);
        let present = value.get(wire);
        let Some(present) = present else {
            if required.contains(&wire.as_str()) {
                return Err(format!("it omits the required part `{wire}`"));
            }
            continue;
        };
        let optional = !required.contains(&wire.as_str());
        let value_tokens = if *is_file {
            let bytes = base64_decode(present.as_str().unwrap_or(""))
                .ok_or_else(|| format!("its part `{wire}` is not base64"))?;
            let files = example.get("x-files").and_then(|f| f.get(wire));
            let file_name = files
                .and_then(|f| f.get("fileName"))
                .and_then(Value::as_str)
                .unwrap_or("upload.bin");
            let content_type = files
                .and_then(|f| f.get("contentType"))
                .and_then(Value::as_str)
                .unwrap_or("application/octet-stream");
            let literal = Literal::byte_string(&bytes);
            parts.push(quote!(Part::file(#wire, #file_name, #content_type, #literal)));
            quote!(medsys_client::Upload::new(#literal.to_vec(), #file_name, #content_type))
        } else {
            let text = text(present);
            parts.push(quote!(Part::text(#wire, #text)));
            quote!(#text.to_owned())
        };
        if optional {
            let setter = ident(&format!("with_{field_name}"));
            setters.push(quote!(.#setter(#value_tokens)));
        } else {
            new_args.push(value_tokens);
        }
    }
    Ok((quote!(#ty::new(#(#new_args),*) #(#setters)*), parts))
}

/// The file name a client should decode from a `Content-Disposition` value, computed here
/// independently of the SDK's own decoder.
fn expected_file_name(disposition: &str) -> String {
    let mut plain = String::new();
    for param in disposition.split(';').skip(1) {
        let Some((name, value)) = param.trim().split_once('=') else {
            continue;
        };
        if name.eq_ignore_ascii_case("filename*") {
            if let Some((_, encoded)) = value.split_once("''") {
                let mut bytes = Vec::new();
                let raw = encoded.as_bytes();
                let mut at = 0;
                while at < raw.len() {
                    if raw[at] == b'%'
                        && let Some(byte) = encoded
                            .get(at + 1..at + 3)
                            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    {
                        bytes.push(byte);
                        at += 3;
                        continue;
                    }
                    bytes.push(raw[at]);
                    at += 1;
                }
                return String::from_utf8_lossy(&bytes).into_owned();
            }
        } else if name.eq_ignore_ascii_case("filename") {
            plain = value.trim_matches('"').to_owned();
        }
    }
    plain
}

/// Whether `value` is something the typed API can represent under `schema`.
fn fits(spec: &Spec, value: &Value, schema: &Value) -> bool {
    match spec.shape(schema) {
        Shape::Ref(_) => fits(spec, value, spec.resolve(schema)),
        Shape::Const(constant) => *value == constant,
        Shape::Nullable(_) => value.is_null() || fits(spec, value, &non_null(schema)),
        Shape::String | Shape::Binary => value.is_string(),
        Shape::Integer { .. } => value.is_i64() || value.is_u64(),
        Shape::Number => value.is_number(),
        Shape::Boolean => value.is_boolean(),
        Shape::Array(_) => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            value
                .as_array()
                .is_some_and(|values| values.iter().all(|v| fits(spec, v, &items)))
        }
        Shape::Enum(values) => values.contains(value),
        Shape::Object => {
            let Some(object) = value.as_object() else {
                return false;
            };
            let declared = properties(schema);
            let required_present = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .all(|name| object.contains_key(name));
            required_present
                && object.iter().all(|(name, member)| {
                    declared
                        .iter()
                        .find(|(declared, _)| declared == name)
                        .is_some_and(|(_, property)| fits(spec, member, property))
                })
        }
        Shape::Any => true,
    }
}

/// `value` without the members the SDK does not surface (`const` and `type: null` members),
/// i.e. what the decoded Rust value serializes back to.
fn strip(spec: &Spec, value: &Value, schema: &Value) -> Value {
    match spec.shape(schema) {
        Shape::Ref(_) => strip(spec, value, spec.resolve(schema)),
        Shape::Nullable(_) if !value.is_null() => strip(spec, value, &non_null(schema)),
        Shape::Array(_) => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            match value.as_array() {
                Some(values) => {
                    Value::Array(values.iter().map(|v| strip(spec, v, &items)).collect())
                }
                None => value.clone(),
            }
        }
        Shape::Object => {
            let declared = properties(schema);
            match value.as_object() {
                Some(object) => Value::Object(
                    object
                        .iter()
                        .filter_map(|(name, member)| {
                            let (_, property) = declared.iter().find(|(d, _)| d == name)?;
                            if matches!(spec.shape(property), Shape::Const(_)) {
                                return None;
                            }
                            Some((name.clone(), strip(spec, member, property)))
                        })
                        .collect(),
                ),
                None => value.clone(),
            }
        }
        _ => value.clone(),
    }
}

fn non_null(schema: &Value) -> Value {
    for keyword in ["oneOf", "anyOf"] {
        if let Some(branch) = schema.get(keyword).and_then(Value::as_array).and_then(|b| {
            b.iter()
                .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
        }) {
            return branch.clone();
        }
    }
    if let Some(Value::Array(types)) = schema.get("type") {
        let mut single = schema.clone();
        if let Some(kind) = types.iter().find(|t| *t != "null") {
            single["type"] = kind.clone();
        }
        return single;
    }
    schema.clone()
}

/// Standard base64 (RFC 4648 §4), padding optional.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.trim_end_matches('=').bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xFF).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_padded_text() {
        assert_eq!(base64_decode("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64_decode("6L+Z").as_deref(), Some("这".as_bytes()));
    }

    #[test]
    fn file_names_prefer_the_extended_parameter() {
        let header = "attachment; filename=\"order.xlsx\"; filename*=UTF-8''%E7%94%B3.xlsx";
        assert_eq!(expected_file_name(header), "申.xlsx");
    }
}
