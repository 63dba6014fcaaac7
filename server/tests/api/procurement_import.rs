//! The user import against hostile and odd workbooks (huge, sparse, empty, zip bombs), and the
//! template's list validations. Each is refused with the documented message or imported whole;
//! a refusal changes nothing.

use std::io::{Cursor, Read, Write};

use reqwest::multipart::Form;
use serde_json::json;

use crate::{on_every_backend, procurement_support::*};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const NOT_EXCEL: &str = "文件格式错误，请上传 .xlsx 或 .xls 文件";

/// A workbook whose data rows are `rows` generated users (ids 15xxxxxxxxx, 办公室).
fn generated(rows: u32) -> Vec<u8> {
    users_workbook("15", rows)
}

async fn import(admin: &Proc, file: Vec<u8>) -> crate::support::Reply {
    admin
        .multipart(
            "/admin/user/batchAdd",
            Form::new().part("file", file_part(file, "users.xlsx", XLSX)),
        )
        .await
}

async fn user_count(admin: &Proc) -> serde_json::Value {
    admin.get("/admin/user/users", &[]).await.body["data"]["totalElements"].clone()
}

/// Rewrites one part of an .xlsx (a zip) with `content`.
fn with_part(xlsx: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
    let mut source = zip::ZipArchive::new(Cursor::new(xlsx)).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..source.len() {
        let mut part = source.by_index(index).expect("part");
        let part_name = part.name().expect("part name").into_owned();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).expect("read");
        out.start_file(&part_name, zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(if part_name == name { content } else { &bytes })
            .expect("write");
    }
    out.finish().expect("finish").into_inner()
}

on_every_backend! {
    async fn ten_thousand_rows_import_and_one_more_is_refused_whole(server: TestServer) {
        users(server.db()).await;
        let admin = login(&server, ADMIN).await;
        let before = user_count(&admin).await;
        import(&admin, generated(10_001)).await.expect(200, failure(0, "导入的用户不能超过10000行"));
        import(&admin, generated(100_000)).await.expect(200, failure(0, "导入的用户不能超过10000行"));
        assert_eq!(user_count(&admin).await, before, "a refused import changes nothing");
        let reply = import(&admin, generated(10_000)).await;
        assert_eq!((reply.body["data"]["success"].clone(), reply.body["data"]["count"].clone()),
            (json!(10_000), json!(10_000)), "{}", &reply.text[..reply.text.len().min(300)]);
        assert_eq!(user_count(&admin).await, json!(before.as_i64().unwrap_or(0) + 10_000));
        assert_eq!(login_reply(&server, "15000010000", "123456").await.body["code"], 1);
    }

    async fn odd_workbooks_are_refused_or_read_by_their_content(server: TestServer) {
        users(server.db()).await;
        let admin = login(&server, ADMIN).await;
        let before = user_count(&admin).await;
        // Empty file, a zip that is not a workbook, an OLE header with garbage after it.
        for file in [Vec::new(), with_part(&generated(1), "xl/workbook.xml", b"<not-xml"),
            vec![0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 1, 2, 3]] {
            import(&admin, file).await.expect(200, failure(0, NOT_EXCEL));
        }
        // A zip bomb: a sheet of 200 MB of spaces (deflates to a few hundred KB).
        let bomb = with_part(&generated(1), "xl/worksheets/sheet1.xml", &vec![b' '; 200 * 1024 * 1024]);
        assert!(bomb.len() < 5 * 1024 * 1024, "{}", bomb.len());
        import(&admin, bomb).await.expect(200, failure(0, NOT_EXCEL));
        assert_eq!(user_count(&admin).await, before);

        // One user, and a lone cell in the sheet's very last row and column: read as two rows,
        // the second without an id, never as a grid of 17 billion cells.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "用户id").expect("write");
        sheet.write_string(1, 0, "15999999999").expect("write");
        sheet.write_string(1, 1, "远端").expect("write");
        sheet.write_string(1, 3, "办公室").expect("write");
        sheet.write_string(1_048_575, 16_383, "far away").expect("write");
        sheet.write_string(1_048_575, 1, "名字").expect("write");
        let reply = import(&admin, book.save_to_buffer().expect("xlsx")).await;
        reply.expect(200, success(json!({"success": 1, "count": 2, "result": [
            {"no": "1", "message": "成功"}, {"no": "1048575", "message": "用户id为空"}]})));
    }

    async fn a_legacy_xls_workbook_imports_like_an_xlsx(server: TestServer) {
        fixture(server.db()).await;
        let admin = login(&server, ADMIN).await;
        // tests/fixtures/users.xls, written by make_users_xls.py (xlwt), sent as what it is.
        let file = include_bytes!("../fixtures/users.xls").to_vec();
        let form = Form::new().part("file", file_part(file, "users.xls", "application/vnd.ms-excel"));
        admin.multipart("/admin/user/batchAdd", form).await.expect(200, success(json!({
            "success": 2, "count": 4, "result": [
                {"no": "1", "message": "成功"}, {"no": "2", "message": "成功"},
                {"no": "3", "message": "用户已存在"}, {"no": "4", "message": "用户id为空"}]})));
        admin.get("/admin/user", &[("uid", "12345678951")]).await.expect(200, success(json!(
            {"id": "12345678951", "username": "王小二", "password": null, "department": "财务部", "role": "部门领导"})));
        admin.get("/admin/user", &[("uid", "12345678952")]).await.expect(200, success(json!(
            {"id": "12345678952", "username": "赵小三", "password": null, "department": "办公室", "role": "普通用户"})));
    }

    async fn files_over_five_megabytes_are_refused_unread(server: TestServer) {
        users(server.db()).await;
        let admin = login(&server, ADMIN).await;
        let before = user_count(&admin).await;
        // A real workbook padded past 5 MB, and a body past the 10 MB body limit.
        for size in [5 * 1024 * 1024 + 1, 11 * 1024 * 1024] {
            let mut file = generated(1);
            file.resize(size, 0);
            let form = Form::new().part("file", file_part(file, "users.xlsx", XLSX));
            // Sent on a connection of its own: the server closes it after an early answer.
            let once = Proc { api: crate::support::Api::new(server.base_url()), token: admin.token.clone() };
            let sent = once.request(reqwest::Method::POST, "/admin/user/batchAdd").multipart(form).send().await;
            // Past the body limit the server answers without reading the rest, so a client still
            // sending may see a reset connection instead; either way nothing is imported.
            if let Ok(response) = sent {
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                assert_eq!(body, failure(0, "文件大小不能超过5MB"), "{size} bytes");
            } else {
                assert!(size > 10 * 1024 * 1024, "a {size}-byte upload got no answer");
            }
        }
        assert_eq!(user_count(&admin).await, before);
    }

    async fn the_template_offers_the_roles_and_departments_as_lists(server: TestServer) {
        users(server.db()).await;
        let admin = login(&server, ADMIN).await;
        let response = admin.request(reqwest::Method::GET, "/admin/user/template").send().await.expect("sent");
        let bytes = response.bytes().await.expect("body");
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("an xlsx");
        let mut sheet = String::new();
        archive.by_name("xl/worksheets/sheet1.xml").expect("sheet1").read_to_string(&mut sheet).expect("xml");
        let validations: Vec<&str> = sheet.split("<dataValidation ").skip(1).collect();
        assert_eq!(validations.len(), 2, "{sheet}");
        let role = validations.iter().find(|v| v.contains("sqref=\"C")).expect("a validation on column C");
        for name in ["管理员", "主管院领导", "部门领导", "普通用户"] {
            assert!(role.contains(name), "role list lacks {name}: {role}");
        }
        let department = validations.iter().find(|v| v.contains("sqref=\"D")).expect("a validation on column D");
        assert!(department.contains("type=\"list\""), "{department}");
        for name in ["办公室", "财务部"] {
            assert!(sheet.contains(name) || department.contains(name) || department.contains('$'),
                "department list lacks {name}: {department}");
        }
    }
}
