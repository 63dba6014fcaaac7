//! The checked-in SDK is what `cargo xtask codegen` generates from the specs today.

#[test]
fn generated_sdk_is_up_to_date() {
    let root = xtask::check::workspace_root();
    let files = xtask::codegen::generate(&root).expect("codegen runs");
    let stale = xtask::codegen::stale_files(&root, &files);
    assert!(
        stale.is_empty(),
        "generated files are stale; run `cargo xtask codegen`\n{}",
        stale.join("\n")
    );
}

#[test]
fn codegen_is_deterministic_and_marked_generated() {
    let root = xtask::check::workspace_root();
    let first = xtask::codegen::generate(&root).expect("codegen runs");
    let second = xtask::codegen::generate(&root).expect("codegen runs");
    assert_eq!(first, second);
    for file in &first {
        assert!(
            file.contents.starts_with(xtask::codegen::HEADER),
            "{}",
            file.path
        );
        assert!(
            !file.contents.contains('\r'),
            "{} has CR line endings",
            file.path
        );
    }
}

#[test]
fn a_schema_change_changes_the_sdk() {
    // Regenerating from a spec with one more property must change the generated struct.
    let root = xtask::check::workspace_root();
    let dir = std::env::temp_dir().join(format!("medsys-codegen-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("openapi")).expect("temp dir");
    for spec in ["openapi/mgr.yaml", "openapi/procurement.yaml"] {
        let text = std::fs::read_to_string(root.join(spec)).expect("spec");
        let text = if spec.ends_with("mgr.yaml") {
            text.replacen(
                "    Customer:\n      description: A customer (客户) as listed.\n      type: object\n      required: [id, name, phonenumber, address]\n      additionalProperties: false\n      properties:\n",
                "    Customer:\n      description: A customer (客户) as listed.\n      type: object\n      required: [id, name, phonenumber, address]\n      additionalProperties: false\n      properties:\n        vipLevel:\n          type: integer\n",
                1,
            )
        } else {
            text
        };
        std::fs::write(dir.join(spec), text).expect("write spec");
    }
    let files = xtask::codegen::generate(&dir).expect("codegen runs");
    let mgr = files
        .iter()
        .find(|f| f.path.ends_with("generated/mgr.rs"))
        .expect("mgr.rs");
    assert!(
        mgr.contents.contains("pub vip_level: Option<i64>"),
        "the new property is not in the SDK"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_new_enum_value_becomes_a_variant_and_the_enum_stays_open() {
    // A status the spec adds becomes a variant next to the `Unknown` that held it until now, and
    // the enum stays open and non-exhaustive: a caller's `match` keeps compiling.
    let root = xtask::check::workspace_root();
    let dir = std::env::temp_dir().join(format!("medsys-codegen-enum-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("openapi")).expect("temp dir");
    for spec in ["openapi/mgr.yaml", "openapi/procurement.yaml"] {
        let mut text = std::fs::read_to_string(root.join(spec)).expect("spec");
        if spec.ends_with("procurement.yaml") {
            let status = "    OrderStatus:\n      type: integer\n      enum:\n      - -1\n";
            assert!(text.contains(status), "OrderStatus moved in the spec");
            text = text.replacen(status, &format!("{status}      - 4\n"), 1);
            let description = "(approved, final).";
            assert!(text.contains(description), "OrderStatus description moved");
            text = text.replacen(description, "(approved, final), 4 已归档 (archived).", 1);
        }
        std::fs::write(dir.join(spec), text).expect("write spec");
    }
    let files = xtask::codegen::generate(&dir).expect("codegen runs");
    let procurement = files
        .iter()
        .find(|f| f.path.ends_with("generated/procurement.rs"))
        .expect("procurement.rs");
    let code = &procurement.contents;
    let enum_at = code.find("pub enum OrderStatus").expect("OrderStatus");
    let enum_text = &code[code[..enum_at]
        .rfind("#[non_exhaustive]")
        .expect("non_exhaustive")..];
    assert!(enum_text.contains("已归档,"), "the new status is a variant");
    assert!(enum_text.contains("Unknown(i64)"), "the enum stays open");
    assert!(
        code.contains("4i64 => Self::已归档"),
        "the new value decodes to it"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_role_change_in_the_spec_changes_the_server_operation() {
    // Letting institution leaders approve at department level, in the YAML only, must reach the
    // server's generated operation (which its router and its role check read), and make the
    // checked-in server stale, so `codegen --check` and `generated_sdk_is_up_to_date` fail until
    // the change is regenerated. The server's role test reads the same `x-roles`, so it fails
    // too until the regenerated code is built.
    let root = xtask::check::workspace_root();
    let dir = std::env::temp_dir().join(format!("medsys-codegen-roles-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("openapi")).expect("temp dir");
    for spec in ["openapi/mgr.yaml", "openapi/procurement.yaml"] {
        let mut text = std::fs::read_to_string(root.join(spec)).expect("spec");
        if spec.ends_with("procurement.yaml") {
            let at = text
                .find("operationId: dept_approve\n")
                .expect("dept_approve in the spec");
            let roles = "x-roles:\n      - deptlead\n";
            let offset = at + text[at..].find(roles).expect("dept_approve's x-roles");
            text.replace_range(
                offset..offset + roles.len(),
                "x-roles:\n      - deptlead\n      - instlead\n",
            );
        }
        std::fs::write(dir.join(spec), text).expect("write spec");
    }
    let files = xtask::codegen::generate(&dir).expect("codegen runs");
    let server = files
        .iter()
        .find(|f| f.path == "server/src/procurement/generated.rs")
        .expect("the server's generated operations");
    let item = |code: &str| -> String {
        let at = code
            .find("impl Endpoint for DeptApprove")
            .expect("DeptApprove");
        code[at..at + code[at..].find("};").expect("end of item")].to_owned()
    };
    let changed = item(&server.contents);
    assert!(
        changed.contains("roles: &[Role::DeptLead, Role::InstLead]"),
        "the new role is not in the server's operation:\n{changed}"
    );
    let checked_in =
        std::fs::read_to_string(root.join(&server.path)).expect("checked-in generated.rs");
    assert!(
        item(&checked_in).contains("roles: &[Role::DeptLead]"),
        "the checked-in operation is not today's"
    );
    assert_eq!(
        xtask::codegen::stale_files(&root, std::slice::from_ref(server)).len(),
        1,
        "the checked-in server would be stale"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_renamed_operation_renames_the_server_type_its_router_names() {
    // The server's router binds `DeptApprove` to its handler and the handler's caller is
    // `Authorized<DeptApprove>`: renaming the operationId in the YAML renames the type, so the
    // server stops compiling until its router and handler follow.
    let root = xtask::check::workspace_root();
    let dir = std::env::temp_dir().join(format!("medsys-codegen-rename-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("openapi")).expect("temp dir");
    for spec in ["openapi/mgr.yaml", "openapi/procurement.yaml"] {
        let mut text = std::fs::read_to_string(root.join(spec)).expect("spec");
        if spec.ends_with("procurement.yaml") {
            assert!(text.contains("operationId: dept_approve\n"));
            text = text.replacen(
                "operationId: dept_approve\n",
                "operationId: dept_accept\n",
                1,
            );
        }
        std::fs::write(dir.join(spec), text).expect("write spec");
    }
    let files = xtask::codegen::generate(&dir).expect("codegen runs");
    let server = files
        .iter()
        .find(|f| f.path == "server/src/procurement/generated.rs")
        .expect("the server's generated operations");
    assert!(server.contents.contains("pub struct DeptAccept;"));
    assert!(server.contents.contains("id: \"dept_accept\""));
    assert!(!server.contents.contains("pub struct DeptApprove;"));
    let router = std::fs::read_to_string(root.join("server/src/procurement.rs")).expect("router");
    assert!(
        router.contains(".op(DeptApprove, dept::dept_approve)"),
        "the server's router names the generated type"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_body_change_in_the_spec_changes_the_server_body_type() {
    // A new required member and a wider `maxLength` of admin_add_user's body, in the YAML only,
    // must reach the server's generated body type (which its handler takes through
    // `extract::BodyOf<AdminAddUserBody>`): the member becomes a field the handler can read and
    // whose absence answers 11, the limit moves where 12 starts, and the checked-in server is
    // stale until regenerated.
    let root = xtask::check::workspace_root();
    let dir = std::env::temp_dir().join(format!("medsys-codegen-body-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("openapi")).expect("temp dir");
    for spec in ["openapi/mgr.yaml", "openapi/procurement.yaml"] {
        let mut text = std::fs::read_to_string(root.join(spec)).expect("spec");
        if spec.ends_with("procurement.yaml") {
            let at = text
                .find("    UserCreate:\n")
                .expect("UserCreate in the spec");
            let required = "      - role\n      properties:\n";
            let offset = at
                + text[at..]
                    .find(required)
                    .expect("UserCreate's required list");
            text.replace_range(
                offset..offset + required.len(),
                "      - role\n      - phone\n      properties:\n        phone:\n          type: string\n          minLength: 1\n          maxLength: 20\n          description: Office phone.\n",
            );
            let limit = "          maxLength: 32\n";
            let offset = at + text[at..].find(limit).expect("UserCreate's username limit");
            text.replace_range(offset..offset + limit.len(), "          maxLength: 40\n");
        }
        std::fs::write(dir.join(spec), text).expect("write spec");
    }
    let files = xtask::codegen::generate(&dir).expect("codegen runs");
    let server = files
        .iter()
        .find(|f| f.path == "server/src/procurement/generated.rs")
        .expect("the server's generated operations");
    let item = |code: &str| -> String {
        let at = code.find("pub struct UserCreate {").expect("UserCreate");
        let reader = at
            + code[at..]
                .find("impl FromJsonBody for UserCreate")
                .expect("UserCreate's reader");
        let end = reader + code[reader..].find("\n}\n").expect("end of the reader");
        code[at..end].split_whitespace().collect()
    };
    let changed = item(&server.contents);
    assert!(
        changed.contains("pubphone:String,"),
        "the new member is not a field:\n{changed}"
    );
    assert!(
        changed.contains(r#"text(map.get("phone"),true,Some(1usize),Some(20usize))"#),
        "the new member is not read as a required string:\n{changed}"
    );
    assert!(
        changed.contains(r#"text(map.get("username"),true,Some(1usize),Some(40usize))"#),
        "the new limit is not checked:\n{changed}"
    );
    let checked_in =
        std::fs::read_to_string(root.join(&server.path)).expect("checked-in generated.rs");
    assert!(
        item(&checked_in).contains(r#"text(map.get("username"),true,Some(1usize),Some(32usize))"#),
        "the checked-in body is not today's"
    );
    assert_eq!(
        xtask::codegen::stale_files(&root, std::slice::from_ref(server)).len(),
        1,
        "the checked-in server would be stale"
    );
    std::fs::remove_dir_all(&dir).ok();
}
