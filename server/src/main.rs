//! `medsys-server` binary: parse the command line, then serve or run a one-shot command.

use std::process::ExitCode;

use clap::Parser;
use medsys_server::{
    admin, app,
    config::{AdminCommand, Cli, Command},
    db::Db,
    demo, procurement, telemetry,
};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(&cli.config.log_level, cli.config.log_json);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("medsys-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let db = Db::connect_and_migrate(&cli.config.database_url).await?;
    match cli.command {
        Some(Command::Admin(AdminCommand::CreateMgrAdmin { username, password })) => {
            let id = admin::create_mgr_admin(&db, &username, &password).await?;
            println!("created mgr admin `{username}` (id {id})");
            db.close().await;
            return Ok(());
        }
        Some(Command::Admin(AdminCommand::CreateUser {
            id,
            name,
            role,
            department,
            password,
        })) => {
            procurement::setup::create_user(&db, &id, &name, &role, &department, &password).await?;
            println!("created procurement user {id} ({name}, {role}, {department})");
            db.close().await;
            return Ok(());
        }
        None => {}
    }
    if cli.demo {
        demo::seed(&db).await?;
        procurement::setup::seed_demo(&db).await?;
    }
    let server = app::start_with_db(cli.config, db).await?;
    if cli.demo {
        let addr = server.local_addr;
        println!(
            "medsys demo: sign in as `{}` / `{}`",
            demo::DEMO_USERNAME,
            demo::DEMO_PASSWORD
        );
        println!(
            "  curl -i -c cookies.txt -d 'username={}&password={}' http://{addr}/api/mgr/signin",
            demo::DEMO_USERNAME,
            demo::DEMO_PASSWORD
        );
        println!(
            "  curl -b cookies.txt 'http://{addr}/api/mgr/customers?action=list_customer&pagenum=1&pagesize=10'"
        );
        println!(
            "procurement demo logins (password `{}`):",
            procurement::setup::DEMO_PASSWORD
        );
        for (id, name, role, department) in procurement::setup::DEMO_USERS {
            println!("  {id}  {name} ({}, {department})", role.name());
        }
        println!(
            "  curl -i -H 'Content-Type: application/json' -d '{{\"username\":\"12345678911\",\"password\":\"{}\"}}' http://{addr}/user/login",
            procurement::setup::DEMO_PASSWORD
        );
        println!("  API docs: http://{addr}/docs");
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.stop().await
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
