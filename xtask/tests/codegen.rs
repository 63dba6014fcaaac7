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
