//! Files: the order form (.xlsx, read back with calamine), the feasibility report (.docx), the
//! signature upload and download, the import template and the user import.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::multipart::Form;
use serde_json::{Value, json};

use crate::{on_both_backends, procurement_support::*};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn bytes(
    client: &Proc,
    path: &str,
    query: &[(&str, &str)],
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = client
        .request(reqwest::Method::GET, path)
        .query(query)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    (headers, response.bytes().await.expect("body").to_vec())
}

fn sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx");
    assert_eq!(workbook.sheet_names(), vec![name.to_owned()]);
    workbook.worksheet_range(name).expect("the sheet")
}

fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    range
        .get_value((row, col))
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// An .xlsx with a header row and `rows` below it (column A written as text or number).
fn workbook(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in (0u16..).zip(["用户id", "用户名", "角色", "部门名称"]) {
        sheet.write_string(0, col, header).expect("write");
    }
    for (row, cells) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(cells) {
            if cell.is_empty() {
                continue;
            }
            if col == 0 && cell.len() == 11 {
                // Ids typed into Excel are numbers.
                sheet
                    .write_number(row, col, cell.parse::<f64>().expect("digits"))
                    .expect("write");
            } else {
                sheet.write_string(row, col, *cell).expect("write");
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

on_both_backends! {
    async fn the_order_form_has_the_original_layout(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let (headers, body) = bytes(&zhang, "/order/file", &[("id", "20210104")]).await;
        assert_eq!(headers["content-type"], XLSX);
        assert_eq!(headers["content-disposition"],
            "attachment; filename=\"order.xlsx\"; filename*=UTF-8''%E7%94%B3%E8%AF%B7%E5%8D%95.xlsx");
        let range = sheet(&body, "设备采购申请单");
        assert_eq!(text(&range, 0, 0), "2021年1月设备采购单");
        let info = text(&range, 1, 0);
        for part in ["编号：20210104", "申请部门：办公室", "申请人：张三", "采购经费代码：123456", "申请日期：2021年01月18日"] {
            assert!(info.contains(part), "{info}");
        }
        let headers: Vec<String> = (0..10).map(|col| text(&range, 2, col)).collect();
        assert_eq!(headers, ["序号", "物资名称", "品牌型号", "配置或技术参数", "单位", "数量", "预算单价(元)", "预算总价(元)", "申购原因", "新设备使用人"]);
        assert_eq!(text(&range, 3, 1), "台式计算机");
        assert_eq!(range.get_value((3, 5)), Some(&Data::Float(2.0)));
        assert_eq!(range.get_value((3, 7)), Some(&Data::Float(5000.0)));
        for row in 3..9 {
            assert_eq!(range.get_value((row, 0)), Some(&Data::Float(f64::from(row - 2))), "row {row}");
        }
        assert_eq!(text(&range, 4, 1), "");
        assert_eq!(text(&range, 9, 0), "采购总金额");
        assert_eq!(text(&range, 9, 7), "5000.00");
        assert_eq!(text(&range, 10, 0), "部门领导");
        assert_eq!(text(&range, 11, 0), "主管院领导");

        zhang.get("/order/file", &[("id", "20219999")]).await.expect(200, failure(0, "申请单不存在"));
        zhang.get("/order/file", &[]).await.expect(200, failure(11, "参数缺失"));
        zhang.get("/order/file", &[("id", "20210201")]).await.expect(403, failure(31, "没有权限"));
    }

    async fn the_feasibility_report_is_a_docx(server: TestServer) {
        users(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let (headers, body) = bytes(&zhang, "/order/download", &[]).await;
        assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        assert!(headers["content-disposition"].to_str().expect("ascii").contains("filename*=UTF-8''%E5%8F%AF%E8%A1%8C%E6%80%A7%E6%8A%A5%E5%91%8A.docx"));
        assert!(body.starts_with(b"PK\x03\x04"));
        let text = String::from_utf8_lossy(&body).into_owned();
        assert!(text.contains("word/document.xml"), "a WordprocessingML package");
    }

    async fn signatures_are_checked_stored_and_served(server: TestServer) {
        fixture(server.db()).await;
        let zhang = login(&server, ZHANG).await;
        let lead = login(&server, OFFICE_LEAD).await;
        let upload = |id: &str, bytes: Vec<u8>, name: &str, kind: &str| {
            Form::new().text("id", id.to_owned()).part("file", file_part(bytes, name, kind))
        };
        zhang.get("/order/file/download", &[("id", "20210104")]).await.expect(200, failure(0, "申请单还未上传签名文件"));
        zhang.multipart("/order/file", upload("20210104", b"\xe8\xbf\x99\xe4\xb8\x8d\xe6\x98\xaf\xe5\x9b\xbe\xe7\x89\x87".to_vec(), "fake.png", "image/png"))
            .await.expect(200, failure(0, "只能上传 jpg/png 图片"));
        zhang.multipart("/order/file", upload("20219999", png(), "signature.png", "image/png"))
            .await.expect(200, failure(0, "申请单不存在"));
        lead.multipart("/order/file", upload("20210104", png(), "signature.png", "image/png"))
            .await.expect(403, failure(31, "没有权限"));
        let mut big = png();
        big.resize(1024 * 1024 + 1, 0);
        zhang.multipart("/order/file", upload("20210104", big, "big.png", "image/png"))
            .await.expect(200, failure(0, "图片大小不能超过1MB"));
        zhang.multipart("/order/file", Form::new().text("id", "20210104")).await.expect(200, failure(11, "参数缺失"));
        zhang.multipart("/order/file", upload("20210104", png(), "signature.png", "image/png"))
            .await.expect(200, success(Value::Null));
        let order = zhang.get("/order", &[("id", "20210104")]).await.body["data"].clone();
        assert_eq!((order["hasFile"].clone(), order["version"].clone()), (json!(true), json!(1)));
        let (headers, body) = bytes(&zhang, "/order/file/download", &[("id", "20210104")]).await;
        assert_eq!(headers["content-type"], "image/png");
        assert_eq!(headers["content-disposition"],
            "attachment; filename=\"signature-20210104.png\"; filename*=UTF-8''signature-20210104.png");
        assert_eq!(body, png());

        // A JPEG replaces it; the department leader may download it, another applicant may not.
        let jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 0xff, 0xd9];
        zhang.multipart("/order/file", upload("20210104", jpeg.clone(), "photo.bin", "application/octet-stream"))
            .await.expect(200, success(Value::Null));
        let (headers, body) = bytes(&lead, "/order/file/download", &[("id", "20210104")]).await;
        assert_eq!(headers["content-type"], "image/jpeg");
        assert!(headers["content-disposition"].to_str().expect("ascii").contains("signature-20210104.jpg"));
        assert_eq!(body, jpeg);
        login(&server, LI).await.get("/order/file/download", &[("id", "20210104")]).await.expect(403, failure(31, "没有权限"));
        zhang.get("/order/file/download", &[("id", "20219999")]).await.expect(200, failure(0, "申请单不存在"));
        zhang.get("/order/file/download", &[]).await.expect(200, failure(11, "参数缺失"));
        zhang.get("/order/file/download", &[("id", "20210201")]).await.expect(403, failure(31, "没有权限"));
    }

    async fn the_import_template_reads_back_and_imports(server: TestServer) {
        fixture(server.db()).await;
        let admin = login(&server, ADMIN).await;
        let (headers, body) = bytes(&admin, "/admin/user/template", &[]).await;
        assert_eq!(headers["content-type"], XLSX);
        assert!(headers["content-disposition"].to_str().expect("ascii").contains("filename*=UTF-8''%E7%94%A8%E6%88%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"));
        let range = sheet(&body, "模板");
        let headers: Vec<String> = (0..4).map(|col| text(&range, 0, col)).collect();
        assert_eq!(headers, ["用户id", "用户名", "角色", "部门名称"]);
        assert!(text(&range, 0, 5).contains("123456"), "the note names the default password");
        // The admin fills in the template with the spec's eight rows and imports it.
        let rows = [
            ["12345678931", "王五", "普通用户", "办公室"],
            [ZHANG, "张三", "普通用户", "办公室"],
            ["", "无号", "普通用户", "办公室"],
            ["1234", "短号", "普通用户", "办公室"],
            ["12345678933", "", "普通用户", "办公室"],
            ["12345678934", "无部门", "普通用户", ""],
            ["12345678935", "后勤", "普通用户", "后勤部"],
            ["12345678936", "院长", "院长", "办公室"],
        ];
        let file = workbook(&rows);
        let form = Form::new().part("file", file_part(file, "users.xlsx", XLSX));
        let messages = ["成功", "用户已存在", "用户id为空", "用户id格式错误", "用户名为空", "部门名称为空", "部门不存在", "角色不存在"];
        let result: Vec<Value> = messages.iter().enumerate()
            .map(|(i, message)| json!({"no": (i + 1).to_string(), "message": message}))
            .collect();
        admin.multipart("/admin/user/batchAdd", form).await
            .expect(200, success(json!({"success": 1, "count": 8, "result": result})));
        admin.get("/admin/user", &[("uid", "12345678931")]).await.expect(200, success(json!(
            {"id": "12345678931", "username": "王五", "password": null, "department": "办公室", "role": "普通用户"})));
        assert_eq!(login_reply(&server, "12345678931", "123456").await.body["code"], 1);
        admin.get("/admin/user", &[("uid", "12345678936")]).await.expect(200, failure(27, "账号不存在"));

        // The spec's own example file, and an empty role meaning 普通用户; a repeated id.
        let spec_file = workbook(&[["12345678941", "赵六", "", "财务部"], ["12345678941", "赵六", "", "财务部"]]);
        admin.multipart("/admin/user/batchAdd", Form::new().part("file", file_part(spec_file, "u.xlsx", XLSX))).await
            .expect(200, success(json!({"success": 1, "count": 2, "result": [
                {"no": "1", "message": "成功"}, {"no": "2", "message": "用户已存在"}]})));
        admin.get("/admin/user", &[("uid", "12345678941")]).await.expect(200, success(json!(
            {"id": "12345678941", "username": "赵六", "password": null, "department": "财务部", "role": "普通用户"})));

        // Not a workbook: nothing changes.
        let before = admin.get("/admin/user/users", &[]).await.body["data"]["totalElements"].clone();
        admin.multipart("/admin/user/batchAdd", Form::new().part("file", file_part(b"not an excel file".to_vec(), "users.xlsx", XLSX))).await
            .expect(200, failure(0, "文件格式错误，请上传 .xlsx 或 .xls 文件"));
        let mut corrupt = workbook(&rows);
        corrupt.truncate(corrupt.len() / 2);
        admin.multipart("/admin/user/batchAdd", Form::new().part("file", file_part(corrupt, "users.xlsx", XLSX))).await
            .expect(200, failure(0, "文件格式错误，请上传 .xlsx 或 .xls 文件"));
        admin.multipart("/admin/user/batchAdd", Form::new().text("x", "y")).await.expect(200, failure(11, "参数缺失"));
        assert_eq!(admin.get("/admin/user/users", &[]).await.body["data"]["totalElements"], before);
    }
}
