//! Files, through the SDK: the order form (.xlsx, read back with calamine), the feasibility
//! report (.docx), the signature upload and download, the import template and the user import.
//!
//! The exact `Content-Disposition` headers and requests without their file or id go over raw
//! HTTP, because the typed SDK cannot express them.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use medsys_client::procurement::{
    self, Code, ImportResult, ImportRow, ImportRowMessage, OrderId, ResultUser, RoleName,
    SignatureUpload, UserImportUpload,
};
use medsys_client::{Download, Upload};
use reqwest::multipart::Form;

use crate::{on_every_backend, procurement_support::*};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The `Content-Disposition` of a download, read on the wire.
async fn content_disposition(client: &Proc, path: &str, query: &[(&str, &str)]) -> String {
    let reply = client.get(path, query).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let header = &reply.headers[reqwest::header::CONTENT_DISPOSITION];
    header.to_str().expect("ascii").to_owned()
}

/// `download` is a file of `content_type` named `file_name`.
#[track_caller]
fn assert_file(download: &Download, content_type: &str, file_name: &str) {
    assert_eq!(
        (
            download.content_type.as_str(),
            download.file_name.as_deref()
        ),
        (content_type, Some(file_name))
    );
}

/// An order id as the SDK's methods take it.
fn order_id(id: &str) -> OrderId {
    id.into()
}

fn signature(id: &str, bytes: Vec<u8>, name: &str, content_type: &str) -> SignatureUpload {
    SignatureUpload::new(id, Upload::new(bytes, name, content_type))
}

fn excel(bytes: Vec<u8>) -> UserImportUpload {
    UserImportUpload::new(Upload::new(bytes, "users.xlsx", XLSX))
}

fn import_result(success: i64, messages: &[ImportRowMessage]) -> ImportResult {
    let result: Vec<ImportRow> = (1..)
        .zip(messages)
        .map(|(no, message): (i64, _)| ImportRow::new(no.to_string(), message.clone()))
        .collect();
    let count = i64::try_from(messages.len()).expect("a few rows");
    ImportResult::new(success, count, result)
}

fn user(id: &str, username: &str, department: &str) -> ResultUser {
    ResultUser::new(id, username, department, RoleName::普通用户)
}

async fn user_count(admin: &procurement::Client) -> i64 {
    admin
        .admin_list_users(None)
        .await
        .expect("users")
        .total_elements
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

on_every_backend! {
    async fn the_order_form_has_the_original_layout(server: TestServer) {
        fixture(server.db()).await;
        let zhang = logged_in(&server, ZHANG).await;
        let form = zhang.export_order_excel(&order_id("20210104")).await.expect("the order form");
        assert_file(&form, XLSX, "申请单.xlsx");
        let range = sheet(&form.bytes, "设备采购申请单");
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

        assert_refused(zhang.export_order_excel(&order_id("20219999")).await, Code::Failure, "申请单不存在");
        assert_code(zhang.export_order_excel(&order_id("20210201")).await, Code::NoPermission);
        // On the wire: an ASCII fallback name beside the UTF-8 one, and the missing id.
        let wire = raw(&server, &zhang);
        assert_eq!(content_disposition(&wire, "/order/file", &[("id", "20210104")]).await,
            "attachment; filename=\"order.xlsx\"; filename*=UTF-8''%E7%94%B3%E8%AF%B7%E5%8D%95.xlsx");
        wire.get("/order/file", &[]).await.expect(200, failure(11, "参数缺失"));
    }

    async fn the_feasibility_report_is_a_docx(server: TestServer) {
        users(server.db()).await;
        let zhang = logged_in(&server, ZHANG).await;
        let report = zhang.download_feasibility_report().await.expect("the report");
        assert_file(&report, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "可行性报告.docx");
        assert!(report.bytes.starts_with(b"PK\x03\x04"));
        let text = String::from_utf8_lossy(&report.bytes).into_owned();
        assert!(text.contains("word/document.xml"), "a WordprocessingML package");
    }

    async fn signatures_are_checked_stored_and_served(server: TestServer) {
        fixture(server.db()).await;
        let zhang = logged_in(&server, ZHANG).await;
        let lead = logged_in(&server, OFFICE_LEAD).await;
        assert_refused(zhang.download_signature(&order_id("20210104")).await, Code::Failure, "申请单还未上传签名文件");
        let not_an_image = "这不是图片".as_bytes().to_vec();
        assert_refused(zhang.upload_signature(signature("20210104", not_an_image, "fake.png", "image/png")).await,
            Code::Failure, "只能上传 jpg/png 图片");
        assert_refused(zhang.upload_signature(signature("20219999", png(), "signature.png", "image/png")).await,
            Code::Failure, "申请单不存在");
        assert_code(lead.upload_signature(signature("20210104", png(), "signature.png", "image/png")).await, Code::NoPermission);
        let mut big = png();
        big.resize(1024 * 1024 + 1, 0);
        assert_refused(zhang.upload_signature(signature("20210104", big, "big.png", "image/png")).await,
            Code::Failure, "图片大小不能超过1MB");
        zhang.upload_signature(signature("20210104", png(), "signature.png", "image/png")).await.expect("uploaded");
        let order = zhang.get_order(&order_id("20210104")).await.expect("the order");
        assert_eq!((order.has_file, order.version), (true, 1));
        let stored = zhang.download_signature(&order_id("20210104")).await.expect("the signature");
        assert_file(&stored, "image/png", "signature-20210104.png");
        assert_eq!(stored.bytes, png());

        // A JPEG replaces it; the department leader may download it, another applicant may not.
        let jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 0xff, 0xd9];
        zhang.upload_signature(signature("20210104", jpeg.clone(), "photo.bin", "application/octet-stream")).await.expect("replaced");
        let stored = lead.download_signature(&order_id("20210104")).await.expect("the signature");
        assert_file(&stored, "image/jpeg", "signature-20210104.jpg");
        assert_eq!(stored.bytes, jpeg);
        assert_code(logged_in(&server, LI).await.download_signature(&order_id("20210104")).await, Code::NoPermission);
        assert_refused(zhang.download_signature(&order_id("20219999")).await, Code::Failure, "申请单不存在");
        assert_code(zhang.download_signature(&order_id("20210201")).await, Code::NoPermission);

        // On the wire: the exact header, and requests without their file or id.
        let wire = raw(&server, &zhang);
        assert_eq!(content_disposition(&wire, "/order/file/download", &[("id", "20210104")]).await,
            "attachment; filename=\"signature-20210104.jpg\"; filename*=UTF-8''signature-20210104.jpg");
        wire.multipart("/order/file", Form::new().text("id", "20210104")).await.expect(200, failure(11, "参数缺失"));
        wire.get("/order/file/download", &[]).await.expect(200, failure(11, "参数缺失"));
    }

    async fn the_import_template_reads_back_and_imports(server: TestServer) {
        use ImportRowMessage::*;

        fixture(server.db()).await;
        let admin = logged_in(&server, ADMIN).await;
        let template = admin.admin_download_user_template().await.expect("the template");
        assert_file(&template, XLSX, "用户导入模板.xlsx");
        let range = sheet(&template.bytes, "模板");
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
        let imported = admin.admin_import_users(excel(workbook(&rows))).await.expect("imported");
        assert_eq!(imported, import_result(1, &[成功, 用户已存在, 用户id为空, 用户id格式错误, 用户名为空, 部门名称为空, 部门不存在, 角色不存在]));
        assert_eq!(admin.admin_get_user(&"12345678931".into()).await.expect("the new user"), user("12345678931", "王五", "办公室"));
        anonymous(&server).login(&login_body("12345678931", "123456")).await.expect("the new user logs in");
        assert_code(admin.admin_get_user(&"12345678936".into()).await, Code::AccountNotFound);

        // The spec's own example file, and an empty role meaning 普通用户; a repeated id.
        let spec_file = workbook(&[["12345678941", "赵六", "", "财务部"], ["12345678941", "赵六", "", "财务部"]]);
        let imported = admin.admin_import_users(excel(spec_file)).await.expect("imported");
        assert_eq!(imported, import_result(1, &[成功, 用户已存在]));
        assert_eq!(admin.admin_get_user(&"12345678941".into()).await.expect("the new user"), user("12345678941", "赵六", "财务部"));

        // Not a workbook: nothing changes.
        let before = user_count(&admin).await;
        assert_refused(admin.admin_import_users(excel(b"not an excel file".to_vec())).await,
            Code::Failure, "文件格式错误，请上传 .xlsx 或 .xls 文件");
        let mut corrupt = workbook(&rows);
        corrupt.truncate(corrupt.len() / 2);
        assert_refused(admin.admin_import_users(excel(corrupt)).await,
            Code::Failure, "文件格式错误，请上传 .xlsx 或 .xls 文件");
        raw(&server, &admin).multipart("/admin/user/batchAdd", Form::new().text("x", "y")).await
            .expect(200, failure(11, "参数缺失"));
        assert_eq!(user_count(&admin).await, before);
    }
}
