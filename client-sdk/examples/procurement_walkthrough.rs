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
        .login(&LoginRequest {
            username: applicant_id.clone(),
            password: setting("MEDSYS_APPLICANT_PASSWORD", "123456"),
        })
        .await?;
    println!("logged in as {} (role {:?})", me.login_name, me.role);

    let departments = applicant.list_departments().await?;
    let department = departments
        .first()
        .map(|d| d.dept_name.clone())
        .unwrap_or_else(|| "办公室".to_owned());
    let order_id = applicant
        .create_order(&OrderApplyCreate {
            apply_department: department,
            apply_user: me.login_name.clone(),
            fund_code: "123456".to_owned(),
            total: 5000.0,
            status: OrderApplyCreateStatus::Submit,
            order_lists: vec![OrderListInput {
                id: None,
                name: "台式计算机".to_owned(),
                r#type: "联想启天M428".to_owned(),
                configuration: "i5/8GB/1TB".to_owned(),
                unit: "台".to_owned(),
                quantity: 2,
                budget_unit_price: 2500.0,
                budget_total_price: 5000.0,
                reason: "旧电脑运行缓慢".to_owned(),
                new_user: me.login_name.clone(),
            }],
            uid: applicant_id.clone(),
        })
        .await?;
    println!("submitted order {order_id}");

    let leader = Client::new(&base)?;
    leader
        .login(&LoginRequest {
            username: setting("MEDSYS_DEPTLEAD", "12345678914"),
            password: setting("MEDSYS_DEPTLEAD_PASSWORD", "123456"),
        })
        .await?;
    leader.dept_approve(&order_id).await?;
    println!("department leader approved {order_id}");

    let unread = applicant.count_unread_notices(&applicant_id).await?;
    println!("{unread} unread notice(s)");
    let notices = applicant.list_notices(&applicant_id, None).await?;
    if let Some(latest) = notices.content.first() {
        let notice = applicant.get_notice(latest.id).await?;
        println!("{}: {}", notice.title, notice.content);
    }

    applicant.logout(&applicant_id).await?;
    Ok(())
}
