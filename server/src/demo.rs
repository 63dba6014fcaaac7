//! `--demo`: realistic sample data and a known admin login, so a fresh clone has something to
//! click through. Idempotent: the admin is created once, the rest only into an empty database.

use crate::{
    db::Db,
    mgr::{
        domain::{CustomerData, MedicineData, NewOrder},
        store::{self, StoreError},
    },
    password,
};

/// The documented demo login (README, `--help`).
pub const DEMO_USERNAME: &str = "demo";
pub const DEMO_PASSWORD: &str = "medsys-demo";

/// Seeds the demo data; returns whether anything was added.
pub async fn seed(db: &Db) -> anyhow::Result<bool> {
    let mut added = false;
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    match store::create_account(db, DEMO_USERNAME, &hash, true, true).await {
        Ok(_) => added = true,
        Err(StoreError::Duplicate) => {}
        Err(other) => return Err(other.into()),
    }

    if store::has_customers(db).await? {
        return Ok(added);
    }
    let customers = [
        ("李小哲", "12345678911", "上海市嘉定区"),
        ("张三", "12345678922", "上海市静安区"),
        (
            "上海市第一人民医院",
            "02163240090",
            "上海市虹口区武进路85号",
        ),
        ("南京鼓楼医院", "02583106666", "南京市鼓楼区中山路321号"),
    ];
    let mut customer_ids = Vec::new();
    for (name, phonenumber, address) in customers {
        let data = CustomerData {
            name: name.to_owned(),
            phonenumber: phonenumber.to_owned(),
            address: address.to_owned(),
        };
        customer_ids.push(store::add_customer(db, &data).await?);
    }
    let medicines = [
        ("青霉素", "抗菌消炎,用于敏感菌所致的感染", "213123123"),
        (
            "布洛芬缓释胶囊",
            "解热镇痛,用于缓解轻至中度疼痛",
            "2131231333",
        ),
        ("阿莫西林胶囊", "广谱抗生素,用于呼吸道感染", "H44021351"),
        ("板蓝根颗粒", "清热解毒,用于病毒性感冒", "Z11020357"),
        ("维生素C片", "补充维生素C", "H11020888"),
    ];
    let mut medicine_ids = Vec::new();
    for (name, desc, sn) in medicines {
        let data = MedicineData {
            name: name.to_owned(),
            desc: desc.to_owned(),
            sn: sn.to_owned(),
        };
        medicine_ids.push(store::add_medicine(db, &data).await?);
    }
    let orders = [
        ("李小哲药房一月订单", 0, vec![(0, 33), (1, 12)]),
        ("第一人民医院常规补货", 2, vec![(2, 100), (3, 50), (4, 200)]),
        ("鼓楼医院急诊订单", 3, vec![(1, 20)]),
    ];
    for (name, customer, lines) in orders {
        let order = NewOrder {
            name: name.to_owned(),
            customer_id: customer_ids[customer],
            lines: lines
                .into_iter()
                .map(|(medicine, amount)| (medicine_ids[medicine], amount))
                .collect(),
        };
        store::add_order(db, &order).await?;
    }
    Ok(true)
}
