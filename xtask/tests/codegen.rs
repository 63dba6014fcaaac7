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
