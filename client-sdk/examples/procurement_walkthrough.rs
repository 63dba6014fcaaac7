//! A walk through the procurement API: an applicant submits an order, the department leader
//! approves it, and the applicant reads the notice.
//!
//! Run against the demo server (`medsys-server --demo`):
//!
//! ```text
//! cargo run -p medsys-client --example procurement_walkthrough -- http://127.0.0.1:8080
//! ```
//!
//! The base URL is the first argument, else `MEDSYS_URL`, else `http://127.0.0.1:8080`.
//! Accounts come from `MEDSYS_APPLICANT` / `MEDSYS_APPLICANT_PASSWORD` (default `12345678911`
//! / `123456`, 张三 of 办公室) and `MEDSYS_DEPTLEAD` / `MEDSYS_DEPTLEAD_PASSWORD` (default
//! `12345678914` / `123456`, 办公室领导); use what `medsys-server --demo` prints.

use medsys_client::procurement::{
    Client, LoginRequest, OrderApplyCreate, OrderApplyCreateStatus, OrderListInput,
};

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| setting("MEDSYS_URL", "http://127.0.0.1:8080"));
    let applicant_id = setting("MEDSYS_APPLICANT", "12345678911");
    let applicant = Client::new(&base)?;
    let me = applicant
        .login(&LoginRequest::new(
            applicant_id.clone(),
            setting("MEDSYS_APPLICANT_PASSWORD", "123456"),
        ))
        .await?;
    println!("logged in as {} (role {:?})", me.login_name, me.role);

    let departments = applicant.list_departments().await?;
    let department = departments
        .first()
        .map(|d| d.dept_name.clone())
        .unwrap_or_else(|| "办公室".to_owned());
    let order_id = applicant
        .create_order(&OrderApplyCreate::new(
            department,
            me.login_name.clone(),
            "123456",
            5000.0,
            OrderApplyCreateStatus::Submit,
            vec![OrderListInput::new(
                "台式计算机",
                "联想启天M428",
                "i5/8GB/1TB",
                "台",
                2,
                2500.0,
                5000.0,
                "旧电脑运行缓慢",
                me.login_name.clone(),
            )],
        ))
        .await?;
    println!("submitted order {order_id}");

    let leader = Client::new(&base)?;
    leader
        .login(&LoginRequest::new(
            setting("MEDSYS_DEPTLEAD", "12345678914"),
            setting("MEDSYS_DEPTLEAD_PASSWORD", "123456"),
        ))
        .await?;
    leader.dept_approve(&order_id).await?;
    println!("department leader approved {order_id}");

    let unread = applicant.count_unread_notices().await?;
    println!("{unread} unread notice(s)");
    let notices = applicant.list_notices(None).await?;
    if let Some(latest) = notices.content.first() {
        let notice = applicant.get_notice(latest.id).await?;
        println!("{}: {}", notice.title, notice.content);
    }

    applicant.logout().await?;
    Ok(())
}
