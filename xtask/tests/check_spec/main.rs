//! Tests of `cargo xtask check-spec`: the checked-in specs pass, and deliberately broken copies
//! of the fixtures (and of the real specs) fail with a message naming the operation and example.

mod catalogue;

use std::path::PathBuf;

use serde_json::{Value, json};
use xtask::check::{self, Problem};

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path:?}: {error}"));
    check::parse_yaml(&text).unwrap()
}

fn real_spec(name: &str) -> Value {
    let path = check::workspace_root().join("openapi").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    check::parse_yaml(&text).unwrap()
}

fn mgr() -> Value {
    fixture("mgr-mini.yaml")
}

fn procurement() -> Value {
    fixture("procurement-mini.yaml")
}

/// The value at a JSON pointer written with plain `/` between keys and `~1` inside them.
fn at<'v>(doc: &'v mut Value, pointer: &str) -> &'v mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the document"))
}

fn object<'v>(doc: &'v mut Value, pointer: &str) -> &'v mut serde_json::Map<String, Value> {
    at(doc, pointer).as_object_mut().unwrap()
}

fn problems(doc: &Value) -> Vec<Problem> {
    check::check_document("spec.yaml", doc)
}

/// Asserts some problem names `operation`, the example `case` (when given), and says `fragment`.
#[track_caller]
fn assert_reported(problems: &[Problem], operation: &str, case: Option<&str>, fragment: &str) {
    let found = problems.iter().any(|problem| {
        let text = problem.to_string();
        problem.operation.as_deref() == Some(operation)
            && problem.case.as_deref() == case
            && problem.message.contains(fragment)
            && text.contains(operation)
            && case.is_none_or(|case| text.contains(case))
    });
    assert!(
        found,
        "expected a problem for {operation} / {case:?} containing {fragment:?}, got:\n{}",
        render(problems)
    );
}

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|problem| format!("  {problem}\n"))
        .collect()
}

#[test]
fn the_checked_in_specs_pass() {
    let root = check::workspace_root();
    let mut all = Vec::new();
    for spec in check::EXPECTED_SPECS {
        all.extend(check::check_file(&root.join(spec), spec));
    }
    assert!(all.is_empty(), "check-spec problems:\n{}", render(&all));
}

#[test]
fn the_fixtures_pass() {
    for doc in [mgr(), procurement()] {
        let found = problems(&doc);
        assert!(found.is_empty(), "{}", render(&found));
    }
}

#[test]
fn a_problem_prints_file_operation_and_example() {
    let problem = Problem {
        file: "openapi/mgr.yaml".to_owned(),
        operation: Some("list_customer".to_owned()),
        case: Some("ok".to_owned()),
        message: "something".to_owned(),
    };
    assert_eq!(
        problem.to_string(),
        "openapi/mgr.yaml: list_customer: example `ok`: something"
    );
}

#[test]
fn an_example_that_violates_its_schema_is_reported_with_its_path() {
    let mut doc = mgr();
    *at(
        &mut doc,
        "/paths/~1api~1mgr~1customers/get/responses/200/content/application~1json/examples/ok/value/retlist/0/id",
    ) = json!("one");
    let found = problems(&doc);
    assert_reported(
        &found,
        "list_customer",
        Some("ok"),
        "does not match its schema",
    );
}

#[test]
fn a_request_example_that_violates_its_schema_is_reported() {
    let mut doc = mgr();
    *at(
        &mut doc,
        "/paths/~1api~1mgr~1customers/delete/requestBody/content/application~1json/examples/not_found/value/id",
    ) = json!(0);
    let found = problems(&doc);
    assert_reported(&found, "del_customer", Some("not_found"), "at /id");
}

#[test]
fn an_invalid_request_example_is_not_validated_but_must_pair_with_an_error() {
    let mut doc = procurement();
    // `bad_id` breaks the parameter pattern on purpose; that alone is fine.
    assert!(problems(&doc).is_empty());
    *at(
        &mut doc,
        "/paths/~1order~1file/get/responses/200/content/application~1json/examples/bad_id/value",
    ) = json!({"success": true, "code": 1, "msg": "成功", "data": null});
    let found = problems(&doc);
    assert_reported(
        &found,
        "download_order_file",
        Some("bad_id"),
        "not an error",
    );
}

#[test]
fn an_unresolvable_ref_is_reported() {
    let mut doc = mgr();
    *at(
        &mut doc,
        "/components/responses/NotLoggedIn/content/application~1json/examples/not_logged_in/$ref",
    ) = json!("#/components/examples/Nope");
    let found = problems(&doc);
    assert!(
        found
            .iter()
            .any(|problem| problem.case.as_deref() == Some("not_logged_in")
                && problem.message.contains("does not resolve")),
        "{}",
        render(&found)
    );
}

#[test]
fn an_unresolvable_ref_inside_an_operation_names_it() {
    let mut doc = mgr();
    *at(
        &mut doc,
        "/paths/~1api~1mgr~1customers/get/responses/200/content/application~1json/schema/oneOf/0/$ref",
    ) = json!("#/components/schemas/Missing");
    let found = problems(&doc);
    assert_reported(&found, "list_customer", None, "does not resolve");
}

#[test]
fn an_external_ref_is_reported() {
    let mut doc = procurement();
    *at(
        &mut doc,
        "/paths/~1order~1file/get/responses/200/content/application~1json/examples/token_missing/$ref",
    ) = json!("common.yaml#/components/examples/TokenMissing");
    let found = problems(&doc);
    assert_reported(
        &found,
        "download_order_file",
        Some("token_missing"),
        "external",
    );
}

#[test]
fn a_duplicate_operation_id_is_reported() {
    let mut doc = mgr();
    *at(&mut doc, "/paths/~1api~1mgr~1customers/delete/operationId") = json!("list_customer");
    let found = problems(&doc);
    assert_reported(&found, "list_customer", None, "duplicate operationId");
}

#[test]
fn a_camel_case_operation_id_is_reported() {
    let mut doc = procurement();
    *at(&mut doc, "/paths/~1user~1login/post/operationId") = json!("userLogin");
    let found = problems(&doc);
    assert_reported(&found, "userLogin", None, "not snake_case");
}

#[test]
fn an_operation_without_operation_id_is_named_by_method_and_path() {
    let mut doc = procurement();
    object(&mut doc, "/paths/~1admin~1order~1{id}/delete").remove("operationId");
    let found = problems(&doc);
    assert_reported(&found, "DELETE /admin/order/{id}", None, "no `operationId`");
}

#[test]
fn a_response_without_examples_is_reported() {
    let mut doc = mgr();
    object(
        &mut doc,
        "/paths/~1api~1mgr~1customers/delete/responses/200/content/application~1json",
    )
    .remove("examples");
    let found = problems(&doc);
    assert_reported(&found, "del_customer", None, "has no named `examples`");
    // Its request examples are now orphans, each named.
    assert_reported(&found, "del_customer", Some("not_found"), "orphan");
}

#[test]
fn a_response_without_content_is_reported() {
    let mut doc = procurement();
    object(&mut doc, "/paths/~1admin~1order~1{id}/delete/responses/403").remove("content");
    let found = problems(&doc);
    assert_reported(
        &found,
        "delete_order",
        None,
        "response 403 has no `content`",
    );
}

#[test]
fn an_orphan_request_example_is_reported() {
    let mut doc = mgr();
    object(
        &mut doc,
        "/paths/~1api~1mgr~1customers/delete/requestBody/content/application~1json/examples",
    )
    .insert(
        "already_gone".to_owned(),
        json!({"value": {"action": "del_customer", "id": 8}}),
    );
    let found = problems(&doc);
    assert_reported(&found, "del_customer", Some("already_gone"), "orphan");
}

#[test]
fn a_case_name_used_twice_in_one_operation_is_reported() {
    let mut doc = procurement();
    let examples = object(
        &mut doc,
        "/paths/~1admin~1order~1{id}/delete/responses/403/content/application~1json/examples",
    );
    let example = examples.remove("no_permission").unwrap();
    examples.insert("ok".to_owned(), example);
    let found = problems(&doc);
    assert_reported(
        &found,
        "delete_order",
        Some("ok"),
        "unique within an operation",
    );
}

#[test]
fn a_case_name_that_is_not_snake_case_is_reported() {
    let mut doc = procurement();
    let examples = object(
        &mut doc,
        "/paths/~1admin~1order~1{id}/delete/responses/403/content/application~1json/examples",
    );
    let example = examples.remove("no_permission").unwrap();
    examples.insert("NoPermission".to_owned(), example);
    let found = problems(&doc);
    assert_reported(
        &found,
        "delete_order",
        Some("NoPermission"),
        "not snake_case",
    );
}

#[test]
fn a_missing_envelope_is_reported() {
    let mut doc = procurement();
    object(&mut doc, "/paths/~1admin~1order~1{id}/delete").remove("x-envelope");
    let found = problems(&doc);
    assert_reported(&found, "delete_order", None, "no `x-envelope`");
}

#[test]
fn an_unknown_envelope_is_reported() {
    let mut doc = mgr();
    *at(&mut doc, "/paths/~1api~1mgr~1signin/post/x-envelope") = json!("status");
    let found = problems(&doc);
    assert_reported(&found, "signin", None, "expected `ret` or `code`");
}

#[test]
fn a_wrong_openapi_version_is_reported() {
    let mut doc = mgr();
    *at(&mut doc, "/openapi") = json!("3.0.3");
    let found = problems(&doc);
    assert!(
        found
            .iter()
            .any(|problem| problem.operation.is_none() && problem.message.contains("3.1.x")),
        "{}",
        render(&found)
    );
}

#[test]
fn a_document_oas3_cannot_read_is_reported() {
    let mut doc = mgr();
    object(&mut doc, "").remove("info");
    let found = problems(&doc);
    assert!(
        found.iter().any(|problem| problem.message.contains("oas3")),
        "{}",
        render(&found)
    );
}

#[test]
fn a_default_response_is_reported() {
    let mut doc = procurement();
    let responses = object(&mut doc, "/paths/~1admin~1order~1{id}/delete/responses");
    let forbidden = responses.remove("403").unwrap();
    responses.insert("default".to_owned(), forbidden);
    let found = problems(&doc);
    assert_reported(&found, "delete_order", None, "`default` response");
}

#[test]
fn an_action_that_differs_from_the_operation_id_is_reported() {
    let mut doc = mgr();
    *at(&mut doc, "/paths/~1api~1mgr~1customers/get/x-action") = json!("list_customers");
    let found = problems(&doc);
    assert_reported(
        &found,
        "list_customer",
        None,
        "differs from the operationId",
    );
}

#[test]
fn an_action_the_request_does_not_carry_as_const_is_reported() {
    let mut doc = mgr();
    object(
        &mut doc,
        "/paths/~1api~1mgr~1customers/delete/requestBody/content/application~1json/schema/properties/action",
    )
    .remove("const");
    let found = problems(&doc);
    assert_reported(&found, "del_customer", None, "as `const`");
}

#[test]
fn unknown_roles_are_reported() {
    let mut doc = procurement();
    *at(&mut doc, "/paths/~1admin~1order~1{id}/delete/x-roles") = json!(["root"]);
    let found = problems(&doc);
    assert_reported(&found, "delete_order", None, "unknown role");
}

#[test]
fn unknown_auth_modes_and_caller_roles_are_reported() {
    let mut doc = procurement();
    let example = object(
        &mut doc,
        "/paths/~1admin~1order~1{id}/delete/responses/403/content/application~1json/examples/no_permission",
    );
    example.insert("x-role".to_owned(), json!("public"));
    example.insert("x-auth".to_owned(), json!("missing"));
    let found = problems(&doc);
    assert_reported(
        &found,
        "delete_order",
        Some("no_permission"),
        "`x-role` is \"public\"",
    );
    assert_reported(
        &found,
        "delete_order",
        Some("no_permission"),
        "`x-auth` is \"missing\"",
    );
}

#[test]
fn a_ret_error_without_msg_is_reported() {
    let mut doc = mgr();
    object(
        &mut doc,
        "/paths/~1api~1mgr~1customers/delete/responses/200/content/application~1json/examples/not_found/value",
    )
    .remove("msg");
    let found = problems(&doc);
    assert_reported(&found, "del_customer", Some("not_found"), "no string `msg`");
}

#[test]
fn success_must_agree_with_code_one() {
    let mut doc = procurement();
    *at(
        &mut doc,
        "/paths/~1admin~1order~1{id}/delete/responses/200/content/application~1json/examples/ok/value/code",
    ) = json!(0);
    let found = problems(&doc);
    assert_reported(&found, "delete_order", Some("ok"), "exactly when code is 1");
}

#[test]
fn a_json_example_without_value_is_reported_but_a_binary_one_is_not() {
    let mut doc = procurement();
    object(
        &mut doc,
        "/paths/~1order~1file/get/responses/200/content/application~1json/examples/bad_id",
    )
    .remove("value");
    let found = problems(&doc);
    assert_reported(&found, "download_order_file", Some("bad_id"), "no `value`");
    assert!(
        !found
            .iter()
            .any(|problem| problem.case.as_deref() == Some("ok")),
        "{}",
        render(&found)
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let mut doc = mgr();
    *at(&mut doc, "/paths/~1api~1mgr~1signin/post/operationId") = json!("SignIn");
    object(&mut doc, "/paths/~1api~1mgr~1customers/delete").remove("x-envelope");
    let found = problems(&doc);
    assert_reported(&found, "SignIn", None, "not snake_case");
    assert_reported(&found, "del_customer", None, "no `x-envelope`");
}

/// Finds an error example (`msg` a string) in the real mgr spec, breaks its `msg` type and
/// expects the checker to name that operation and example.
#[test]
fn a_broken_example_in_the_real_mgr_spec_is_reported() {
    let mut doc = real_spec("mgr.yaml");
    let (operation, case, pointer) =
        first_inline_json_example(&doc, |value| value.get("msg").is_some_and(Value::is_string))
            .expect("mgr.yaml has an inline example with a `msg`");
    *at(&mut doc, &format!("{pointer}/value/msg")) = json!(12);
    let found = check::check_document("openapi/mgr.yaml", &doc);
    assert_reported(&found, &operation, Some(&case), "does not match its schema");
}

/// Deletes a required envelope member from an example of the real procurement spec.
#[test]
fn a_broken_example_in_the_real_procurement_spec_is_reported() {
    let mut doc = real_spec("procurement.yaml");
    let (operation, case, pointer) =
        first_inline_json_example(&doc, |value| value.get("code").is_some())
            .expect("procurement.yaml has an inline example with a `code`");
    object(&mut doc, &format!("{pointer}/value")).remove("code");
    let found = check::check_document("openapi/procurement.yaml", &doc);
    assert_reported(&found, &operation, Some(&case), "no integer `code`");
}

/// The operationId, case name and pointer of the first inline JSON response example whose
/// value satisfies `wanted`.
fn first_inline_json_example(
    doc: &Value,
    wanted: impl Fn(&Value) -> bool,
) -> Option<(String, String, String)> {
    let escape = |token: &str| token.replace('~', "~0").replace('/', "~1");
    for (path, item) in doc["paths"].as_object()? {
        for (method, op) in item.as_object()? {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            for (status, response) in op["responses"].as_object()? {
                let Some(examples) = response
                    .pointer("/content/application~1json/examples")
                    .and_then(Value::as_object)
                else {
                    continue;
                };
                for (name, example) in examples {
                    if example.get("value").is_some_and(&wanted) {
                        let pointer = format!(
                            "/paths/{}/{method}/responses/{status}/content/application~1json/examples/{}",
                            escape(path),
                            escape(name)
                        );
                        return Some((id.to_owned(), name.clone(), pointer));
                    }
                }
            }
        }
    }
    None
}

#[test]
fn a_response_header_without_an_example_or_with_a_wrong_one_is_reported() {
    // Prism answers a header with its example; without one it makes up a value.
    let mut doc = real_spec("mgr.yaml");
    object(
        &mut doc,
        "/paths/~1api~1mgr~1signout/get/responses/200/headers/Set-Cookie",
    )
    .remove("example");
    assert_reported(
        &problems(&doc),
        "signout",
        None,
        "response 200 header Set-Cookie has no `example`",
    );

    let mut doc = real_spec("procurement.yaml");
    *at(&mut doc, "/components/headers/RefreshedToken/example") = json!("Bearer not-a-jwt");
    assert_reported(
        &problems(&doc),
        "get_order",
        None,
        "response 200 header Authorization: the example does not match its schema",
    );
}
