//! A walk through the mgr API: sign in, add a customer and a medicine, create an order, list.
//!
//! Run against the demo server (`medsys-server --demo`):
//!
//! ```text
//! cargo run -p medsys-client --example mgr_walkthrough -- http://127.0.0.1:8080
//! ```
//!
//! The base URL is the first argument, else `MEDSYS_URL`, else `http://127.0.0.1:8080`.
//! Credentials come from `MEDSYS_MGR_USER` and `MEDSYS_MGR_PASSWORD` (defaults: the demo
//! administrator `demo` / `medsys-demo`, as `medsys-server --demo` prints).

use futures_util::StreamExt;
use medsys_client::mgr::{
    AddCustomerRequest, AddMedicineRequest, AddOrderData, AddOrderRequest, Client, CustomerData,
    MedicineData, OrderMedicineInput, SigninForm,
};

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| setting("MEDSYS_URL", "http://127.0.0.1:8080"));
    let client = Client::new(&base)?;

    client
        .signin(&SigninForm::new(
            setting("MEDSYS_MGR_USER", "demo"),
            setting("MEDSYS_MGR_PASSWORD", "medsys-demo"),
        ))
        .await?;
    println!("signed in to {base}");

    let customer = client
        .add_customer(&AddCustomerRequest::new(CustomerData::new(
            "示例医院",
            "13800000000",
            "上海市示例路1号",
        )))
        .await?;
    println!("customer {}", customer.id);

    // Medicine names are unique: add a suffix so the example can run more than once.
    let suffix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let medicine = client
        .add_medicine(&AddMedicineRequest::new(MedicineData::new(
            format!("示例药-{suffix}"),
            "示例",
            format!("SN{suffix}"),
        )))
        .await?;
    println!("medicine {}", medicine.id);

    let order = client
        .add_order(&AddOrderRequest::new(AddOrderData::new(
            "示例订单",
            customer.id,
            vec![OrderMedicineInput::new(medicine.id, 5)],
        )))
        .await?;
    println!("order {}", order.id);

    // Every order, page after page.
    let mut orders = client.list_order_stream(10);
    while let Some(order) = orders.next().await {
        let order = order?;
        println!(
            "  #{} {} for {} ({} medicines)",
            order.id,
            order.name,
            order.customer_name,
            order.medicinelist.len()
        );
    }

    client.signout().await?;
    Ok(())
}
