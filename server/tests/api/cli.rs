//! The `medsys-server` binary: `--help` and `admin create-mgr-admin`.

use std::process::{Command, Output};

fn server_binary(args: &[&str], database_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_medsys-server"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("RUST_LOG")
        .output()
        .expect("medsys-server runs")
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display())
}

#[test]
fn help_documents_every_setting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = server_binary(&["--help"], &sqlite_url(&dir));
    let help = String::from_utf8_lossy(&output.stdout);
    for setting in [
        "--listen",
        "--database-url",
        "--session-lifetime",
        "--log-level",
        "--demo",
        "MEDSYS_LISTEN",
        "DATABASE_URL",
        "admin",
    ] {
        assert!(
            help.contains(setting),
            "--help does not mention {setting}:\n{help}"
        );
    }
}

#[test]
fn create_mgr_admin_creates_an_admin_and_refuses_weak_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = sqlite_url(&dir);
    let create = |username: &str, password: &str| {
        server_binary(
            &[
                "admin",
                "create-mgr-admin",
                "--username",
                username,
                "--password",
                password,
            ],
            &url,
        )
    };
    let ok = create("boss", "boss-password-1");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    for (username, password, expected) in [
        ("", "long-enough-1", "username must not be empty"),
        ("boss2", "short", "at least 8 characters"),
        ("boss3", "12345678", "digits only"),
        ("boss", "another-password", "already exists"),
    ] {
        let output = create(username, password);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "{username}/{password} was accepted"
        );
        assert!(stderr.contains(expected), "{username}/{password}: {stderr}");
    }
}
