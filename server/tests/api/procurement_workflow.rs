//! The approval workflow end to end, through the SDK: submit → department → institution; deny
//! and resubmit; recall; delete and restore; ids under concurrent creation.

use medsys_client::procurement::{
    self, Code, ListOrdersParams, Notice, OrderApplyCreateStatus::*, OrderApplyUpdateStatus::*,
    OrderId, OrderStatus,
};

use crate::{on_every_backend, procurement_support::*};

async fn status_of(client: &procurement::Client, id: &OrderId) -> OrderStatus {
    client.get_order(id).await.expect("the order").status
}

/// The order ids of pages 1 to 4 of a search, page by page; each page must count 23 orders.
async fn four_pages_of_23<Fut>(mut page: impl FnMut(i64) -> Fut) -> Vec<Vec<String>>
where
    Fut: std::future::Future<Output = medsys_client::Result<procurement::OrderApplyPage>>,
{
    let mut listed = Vec::new();
    for number in 1..=4 {
        let found = page(number).await.expect("page");
        assert_eq!(found.total_elements, 23, "page {number}");
        listed.push(
            found
                .content
                .iter()
                .map(|order| order.id.to_string())
                .collect(),
        );
    }
    listed
}

/// The first page of the caller's own notices.
async fn notices_of(client: &procurement::Client) -> Vec<Notice> {
    client.list_notices(None).await.expect("notices").content
}

async fn submit(client: &procurement::Client) -> OrderId {
    let created = client
        .create_order(&order_create(ZHANG, "办公室", Submit))
        .await;
    created.expect("order created")
}

on_every_backend! {
    async fn an_order_goes_from_submission_to_final_approval(server: TestServer) {
        users(server.db()).await;
        let zhang = logged_in(&server, ZHANG).await;
        let lead = logged_in(&server, OFFICE_LEAD).await;
        let inst = logged_in(&server, INST).await;
        let id = submit(&zhang).await;
        assert_eq!(lead.dept_list_pending(None).await.expect("pending").content[0].id, id);
        // The other department's leader neither sees nor decides it.
        let finance = logged_in(&server, FINANCE_LEAD).await;
        assert_eq!(finance.dept_list_pending(None).await.expect("pending").total_elements, 0);
        assert_code(finance.dept_approve(&id).await, Code::NoPermission);

        lead.dept_approve(&id).await.expect("approved by the department");
        assert_eq!(status_of(&zhang, &id).await, OrderStatus::部门领导通过);
        assert_eq!(inst.inst_list_pending(None).await.expect("pending").content[0].id, id);
        inst.inst_approve(&id).await.expect("approved by the institution");
        let order = zhang.get_order(&id).await.expect("the order");
        assert_eq!((order.status, order.version), (OrderStatus::主管领导通过, 2));
        // Nothing moves a finally approved order but an admin's delete.
        assert_refused(zhang.recall_order(&id).await, Code::Failure, "不可以对申请单做此操作");
        assert_refused(inst.inst_deny(&id, "x").await, Code::Failure, "不可以对申请单做此操作");
        assert_eq!(zhang.count_unread_notices().await.expect("count"), 2);
    }

    async fn a_denied_order_is_edited_and_resubmitted(server: TestServer) {
        users(server.db()).await;
        let zhang = logged_in(&server, ZHANG).await;
        let lead = logged_in(&server, OFFICE_LEAD).await;
        let inst = logged_in(&server, INST).await;
        let id = submit(&zhang).await;
        lead.dept_deny(&id, "预算过高，请重新核实").await.expect("sent back");
        let order = zhang.get_order(&id).await.expect("the order");
        assert_eq!((order.status, order.withdrawal_reason.as_deref()), (OrderStatus::待修改, Some("预算过高，请重新核实")));
        let notice = notices_of(&zhang).await.remove(0);
        assert_eq!(notice.title, "申请单打回通知");
        assert_eq!(notice.content, format!("编号{id}的申请单已被打回；打回原因：预算过高，请重新核实"));
        assert_eq!(notice.oid, id);
        // Reading a notice marks it read.
        let read = zhang.get_notice(notice.id).await.expect("the notice");
        assert_eq!((notice.state, read.state, read.uid.as_str()), (true, false, ZHANG));
        assert_eq!(zhang.count_unread_notices().await.expect("count"), 0);

        let mut edit = order_update(&id, order.version, Resubmit);
        edit.order_lists = vec![computer_line(), computer_line()];
        zhang.update_order(&edit).await.expect("resubmitted");
        let order = zhang.get_order(&id).await.expect("the order");
        assert_eq!(order.order_lists[1].id.as_str(), format!("{id}02"));
        lead.dept_approve(&id).await.expect("approved by the department");
        inst.inst_deny(&id, "暂缓").await.expect("sent back by the institution");
        assert_eq!(status_of(&zhang, &id).await, OrderStatus::待修改);
        edit.version = 4;
        zhang.update_order(&edit).await.expect("resubmitted again");
        assert_eq!(status_of(&zhang, &id).await, OrderStatus::提交);
        // The leader got the first submission and two resubmissions.
        let titles: Vec<String> = notices_of(&lead).await.into_iter().map(|notice| notice.title).collect();
        assert_eq!(titles, ["申请单重新提交通知", "申请单重新提交通知", "新的申请单提交通知"]);
    }

    async fn a_recalled_order_returns_to_draft_and_can_be_submitted_again(server: TestServer) {
        users(server.db()).await;
        let zhang = logged_in(&server, ZHANG).await;
        let id = submit(&zhang).await;
        zhang.recall_order(&id).await.expect("recalled");
        assert_eq!(status_of(&zhang, &id).await, OrderStatus::待修改);
        assert_refused(zhang.recall_order(&id).await, Code::Failure, "不可以对申请单做此操作");
        zhang.update_order(&order_update(&id, 1, Resubmit)).await.expect("submitted again");
        assert_eq!(status_of(&zhang, &id).await, OrderStatus::提交);
    }

    // The total of a filtered search is read in the page's own statement; it must count the
    // filtered orders on every page, including a page past the end (which has no row to carry
    // it), and never the unfiltered ones.
    async fn a_filtered_search_counts_the_matches_on_every_page(server: TestServer) {
        users(server.db()).await;
        let zhang = logged_in(&server, ZHANG).await;
        for n in 0..13 {
            let mut order = order_create(ZHANG, "办公室", Submit);
            order.fund_code = if n % 2 == 0 { "EVEN-1".into() } else { "ODD-2".into() };
            zhang.create_order(&order).await.expect("order created");
        }
        let even = |page| ListOrdersParams::new().with_fundcode("EVEN").with_page(page);
        let (first, second, past) = (
            zhang.list_orders(&even(1)).await.expect("page 1"),
            zhang.list_orders(&even(2)).await.expect("page 2"),
            zhang.list_orders(&even(3)).await.expect("page 3"),
        );
        assert_eq!((first.content.len(), first.total_elements, first.total_pages), (7, 7, 1));
        assert!(first.content.iter().all(|order| order.fund_code == "EVEN-1"));
        assert_eq!((second.content.len(), second.total_elements), (0, 7));
        assert_eq!((past.content.len(), past.total_elements), (0, 7));
        let all = |page| ListOrdersParams::new().with_page(page);
        let (first, second, past) = (
            zhang.list_orders(&all(1)).await.expect("page 1"),
            zhang.list_orders(&all(2)).await.expect("page 2"),
            zhang.list_orders(&all(5)).await.expect("page 5"),
        );
        assert_eq!((first.content.len(), first.total_elements, first.total_pages), (10, 13, 2));
        assert_eq!((second.content.len(), second.total_elements), (3, 13));
        assert_eq!((past.content.len(), past.total_elements), (0, 13));
        // A department-name filter counts through the department table.
        let admin = logged_in(&server, ADMIN).await;
        let dept = |name: &str, page| ListOrdersParams::new().with_apply_dept(name).with_page(page);
        let (first, past) = (
            admin.list_orders(&dept("办公", 1)).await.expect("page 1"),
            admin.list_orders(&dept("办公", 5)).await.expect("page 5"),
        );
        assert_eq!((first.content.len(), first.total_elements, past.content.len(), past.total_elements), (10, 13, 0, 13));
        assert_eq!(admin.list_orders(&dept("财务", 1)).await.expect("none").total_elements, 0);
    }

    // Every sort leads with a time or date and breaks ties by id. On MySQL a search that only
    // the status restricts reads its page above a threshold on the leading column
    // (`push_mysql_threshold`); its pages must still follow the full order when every page
    // boundary falls inside a tie, through the last, partial page and past the end.
    async fn status_only_searches_page_through_ties_in_the_full_order(server: TestServer) {
        users(server.db()).await;
        let zhang = logged_in(&server, ZHANG).await;
        for _ in 0..23 {
            zhang.create_order(&order_create(ZHANG, "办公室", Submit)).await.expect("order created");
        }
        let db = server.db();
        let ids: Vec<String> = db
            .query("SELECT id FROM procurement_order ORDER BY id")
            .fetch_all(db.pool())
            .await
            .expect("ids")
            .iter()
            .map(|row| medsys_server::db::RowExt::text(row, "id").expect("id"))
            .collect();
        // Ties of seven (created), five (updated) and four (apply date), crossing each other.
        let keys: Vec<(String, i64, i64, String)> = ids
            .iter()
            .enumerate()
            .map(|(n, id)| {
                let n = i64::try_from(n).expect("small");
                (id.clone(), 1_700_000_000 + n / 7, 1_700_100_000 + (n % 5), format!("2026-01-{:02}", 10 + n % 4))
            })
            .collect();
        for (id, created, updated, applied) in &keys {
            db.query("UPDATE procurement_order SET created_at = $1, updated_at = $2, apply_date = $3 WHERE id = $4")
                .bind(*created)
                .bind(*updated)
                .bind(applied.as_str())
                .bind(id.as_str())
                .execute(db.pool())
                .await
                .expect("keys set");
        }
        let by_id_desc = |a: &String, b: &String| b.len().cmp(&a.len()).then(b.cmp(a));

        // The admin's search over every order: newest first.
        let mut newest = keys.clone();
        newest.sort_by(|a, b| b.1.cmp(&a.1).then(by_id_desc(&a.0, &b.0)));
        let admin = logged_in(&server, ADMIN).await;
        let listed = four_pages_of_23(|page| {
            let admin = &admin;
            async move { admin.list_orders(&ListOrdersParams::new().with_page(page)).await }
        })
        .await;
        assert_eq!(listed.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 3, 0]);
        assert_eq!(listed.concat(), newest.iter().map(|key| key.0.clone()).collect::<Vec<_>>());

        // The institution's pending orders: oldest application first, then oldest creation.
        db.query("UPDATE procurement_order SET status = 2").execute(db.pool()).await.expect("status 2");
        let mut oldest = keys.clone();
        oldest.sort_by(|a, b| a.3.cmp(&b.3).then(a.1.cmp(&b.1)).then(by_id_desc(&b.0, &a.0)));
        let inst = logged_in(&server, INST).await;
        let listed = four_pages_of_23(|page| inst.inst_list_pending(Some(page))).await;
        assert_eq!(listed.concat(), oldest.iter().map(|key| key.0.clone()).collect::<Vec<_>>());

        // Deleted orders: most recently changed first.
        db.query("UPDATE procurement_order SET previous_status = status, status = -1")
            .execute(db.pool())
            .await
            .expect("deleted");
        let mut changed = keys.clone();
        changed.sort_by(|a, b| b.2.cmp(&a.2).then(by_id_desc(&a.0, &b.0)));
        let listed = four_pages_of_23(|page| admin.admin_list_deleted_orders(Some(page))).await;
        assert_eq!(listed.concat(), changed.iter().map(|key| key.0.clone()).collect::<Vec<_>>());
    }

    async fn deleted_orders_are_listed_and_restored_to_their_previous_status(server: TestServer) {
        users(server.db()).await;
        let zhang = logged_in(&server, ZHANG).await;
        let lead = logged_in(&server, OFFICE_LEAD).await;
        let admin = logged_in(&server, ADMIN).await;
        let id = submit(&zhang).await;
        lead.dept_approve(&id).await.expect("approved by the department");
        admin.admin_delete_order(&id).await.expect("deleted");
        let deleted = admin.admin_list_deleted_orders(None).await.expect("deleted orders");
        assert_eq!((deleted.content[0].status, deleted.total_elements), (OrderStatus::已删除, 1));
        // Deleted orders leave every search and are unknown to everyone but admins.
        let everything = ListOrdersParams::default();
        assert_eq!(zhang.list_orders(&everything).await.expect("search").total_elements, 0);
        assert_eq!(admin.list_orders(&everything).await.expect("search").total_elements, 0);
        assert_refused(zhang.get_order(&id).await, Code::Failure, "申请单不存在");
        assert_refused(lead.dept_approve(&id).await, Code::Failure, "申请单不存在");
        admin.admin_restore_order(&id).await.expect("restored");
        assert_eq!(status_of(&zhang, &id).await, OrderStatus::部门领导通过);
        assert_eq!(admin.admin_list_deleted_orders(None).await.expect("deleted orders").total_elements, 0);
    }

    async fn concurrent_creations_get_distinct_consecutive_ids(server: TestServer) {
        users(server.db()).await;
        let zhang = logged_in(&server, ZHANG).await;
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let client = zhang.clone();
            tasks.push(tokio::spawn(async move {
                client.create_order(&order_create(ZHANG, "办公室", Save)).await
            }));
        }
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.expect("task").expect("order created"));
        }
        ids.sort();
        let year = chrono::Utc::now().format("%Y").to_string();
        let expected: Vec<OrderId> = (1..=12).map(|n| format!("{year}01{n:02}").into()).collect();
        assert_eq!(ids, expected);
        let page2 = zhang.list_orders(&ListOrdersParams::new().with_page(2)).await;
        assert_eq!(page2.expect("page 2").content.len(), 2);
    }

    async fn the_hundredth_order_of_a_year_sorts_as_the_newest(server: TestServer) {
        users(server.db()).await;
        let year: i64 = chrono::Utc::now().format("%Y").to_string().parse().expect("year");
        server.db().query("INSERT INTO procurement_order_counter (year, department_id, last) VALUES ($1, '01', 98)")
            .bind(year).execute(server.db().pool()).await.expect("counter");
        let zhang = logged_in(&server, ZHANG).await;
        let older = zhang.create_order(&order_create(ZHANG, "办公室", Save)).await.expect("99th");
        let newer = zhang.create_order(&order_create(ZHANG, "办公室", Save)).await.expect("100th");
        assert_eq!([older.as_str(), newer.as_str()], [format!("{year}0199"), format!("{year}01100")]);
        // Created within the same second: the id decides, as a number.
        server.db().query("UPDATE procurement_order SET created_at = 1700000000, updated_at = 1700000000")
            .execute(server.db().pool()).await.expect("same second");
        let listed = zhang.list_orders(&ListOrdersParams::default()).await.expect("list");
        let ids: Vec<&str> = listed.content.iter().map(|order| order.id.as_str()).collect();
        assert_eq!(ids, [newer.as_str(), older.as_str()]);
    }
}
