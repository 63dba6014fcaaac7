//! Workbooks: the printable purchase form of an order and the user-import template (written
//! with rust_xlsxwriter), and the reading of import files (calamine). Knows neither HTTP nor SQL.

use std::io::Cursor;

use calamine::{Data, Reader};
use chrono::FixedOffset;
use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::procurement::{
    domain::{self, ImportRow, Role},
    store::Order,
};

/// Sheet name of the purchase form.
pub const ORDER_SHEET: &str = "设备采购申请单";
/// Sheet name of the import template.
pub const TEMPLATE_SHEET: &str = "模板";
/// Column headers of the purchase form's line table.
pub const ORDER_HEADERS: [&str; 10] = [
    "序号",
    "物资名称",
    "品牌型号",
    "配置或技术参数",
    "单位",
    "数量",
    "预算单价(元)",
    "预算总价(元)",
    "申购原因",
    "新设备使用人",
];
/// Column headers of the import template.
pub const TEMPLATE_HEADERS: [&str; 4] = ["用户id", "用户名", "角色", "部门名称"];
/// The note of the import template.
pub const TEMPLATE_NOTE: &str = "说明：从第2行起每行一个用户；角色为空时为普通用户；导入的用户初始密码为 123456，请提醒用户登录后修改。";
/// Minimum number of line rows on the form.
pub const MIN_LINE_ROWS: usize = 6;

/// The purchase form of `order` as an .xlsx workbook.
pub fn order_form(order: &Order, zone: FixedOffset) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(ORDER_SHEET)?;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let plain = Format::new().set_align(FormatAlign::VerticalCenter);
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let header = cell.clone().set_bold().set_align(FormatAlign::Center);
    let money = cell.clone().set_num_format("0.00");

    let (year, month) = domain::year_month(order.apply_date.as_deref(), order.created_at, zone);
    sheet.merge_range(0, 0, 0, 9, &format!("{year}年{month}月设备采购单"), &title)?;
    sheet.set_row_height(0, 30)?;
    let apply_date = order
        .apply_date
        .as_deref()
        .and_then(domain::chinese_from_iso)
        .unwrap_or_default();
    let info = format!(
        "编号：{}\u{3000}申请部门：{}\u{3000}申请人：{}\u{3000}采购经费代码：{}\u{3000}申请日期：{}",
        order.id, order.department, order.apply_user, order.fund_code, apply_date
    );
    sheet.merge_range(1, 0, 1, 9, &info, &plain)?;
    for (col, text) in (0u16..).zip(ORDER_HEADERS) {
        sheet.write_string_with_format(2, col, text, &header)?;
    }
    let rows = order.lines.len().max(MIN_LINE_ROWS);
    let mut row = 3u32;
    for index in 0..rows {
        sheet.write_number_with_format(row, 0, (index + 1) as f64, &cell)?;
        match order.lines.get(index) {
            Some(line) => {
                sheet.write_string_with_format(row, 1, &line.name, &cell)?;
                sheet.write_string_with_format(row, 2, &line.kind, &cell)?;
                sheet.write_string_with_format(row, 3, &line.configuration, &cell)?;
                sheet.write_string_with_format(row, 4, &line.unit, &cell)?;
                sheet.write_number_with_format(row, 5, line.quantity as f64, &cell)?;
                sheet.write_number_with_format(
                    row,
                    6,
                    domain::amount_value(&line.budget_unit_price),
                    &money,
                )?;
                sheet.write_number_with_format(
                    row,
                    7,
                    domain::amount_value(&line.budget_total_price),
                    &money,
                )?;
                sheet.write_string_with_format(row, 8, &line.reason, &cell)?;
                sheet.write_string_with_format(row, 9, &line.new_user, &cell)?;
            }
            None => {
                for col in 1..10 {
                    sheet.write_blank(row, col, &cell)?;
                }
            }
        }
        row += 1;
    }
    let total = domain::amount_value(&order.total);
    sheet.merge_range(row, 0, row, 6, "采购总金额", &header)?;
    sheet.merge_range(row, 7, row, 9, &format!("{total:.2}"), &cell)?;
    row += 1;
    sheet.merge_range(row, 0, row, 1, "部门领导", &header)?;
    sheet.merge_range(row, 2, row, 9, "", &cell)?;
    sheet.set_row_height(row, 40)?;
    row += 1;
    sheet.merge_range(row, 0, row, 1, "主管院领导", &header)?;
    sheet.merge_range(row, 2, row, 9, "", &cell)?;
    sheet.set_row_height(row, 40)?;
    for (col, width) in (0u16..).zip([6, 16, 16, 24, 6, 6, 12, 12, 20, 12]) {
        sheet.set_column_width(col, width)?;
    }
    workbook.save_to_buffer()
}

/// The user-import template: headers, the note, and list validations for role and department.
pub fn user_template(departments: &[String]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(TEMPLATE_SHEET)?;
    let header = Format::new().set_bold().set_border(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    for (col, title) in (0u16..).zip(TEMPLATE_HEADERS) {
        sheet.write_string_with_format(0, col, title, &header)?;
    }
    sheet.write_string(0, 5, TEMPLATE_NOTE)?;
    // Ids are text, so Excel keeps all 11 digits.
    sheet.set_column_format(0, &text)?;
    for (col, width) in (0u16..).zip([16, 12, 14, 14, 2, 60]) {
        sheet.set_column_width(col, width)?;
    }
    let roles: Vec<&str> = Role::ALL.iter().map(|role| role.name()).collect();
    let role_list = DataValidation::new().allow_list_strings(&roles)?;
    sheet.add_data_validation(1, 2, 1000, 2, &role_list)?;
    let department_list = DataValidation::new().allow_list_strings(departments)?;
    sheet.add_data_validation(1, 3, 1000, 3, &department_list)?;
    workbook.save_to_buffer()
}

/// Why an import file could not be read.
#[derive(Debug, PartialEq, Eq)]
pub struct NotAWorkbook;

fn cell_text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(text)) => text.trim().to_owned(),
        Some(Data::Int(number)) => number.to_string(),
        // Ids typed into Excel are numbers: 12345678931.0 reads as "12345678931".
        Some(Data::Float(number)) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{number:.0}")
        }
        Some(other) => other.to_string().trim().to_owned(),
    }
}

/// The data rows of the first sheet of an .xlsx or .xls file: `(1-based data row number, row)`
/// for every row that is not entirely empty.
pub fn read_import(bytes: &[u8]) -> Result<Vec<(usize, ImportRow)>, NotAWorkbook> {
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    if !is_zip && !is_ole {
        return Err(NotAWorkbook);
    }
    let mut workbook =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| NotAWorkbook)?;
    let range = match workbook.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(_)) => return Err(NotAWorkbook),
        None => return Ok(Vec::new()),
    };
    let Some((first_row, first_col)) = range.start() else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for (offset, cells) in range.rows().enumerate() {
        let sheet_row = first_row as usize + offset; // 0-based
        if sheet_row == 0 {
            continue; // the header row
        }
        let at = |col: u32| -> Option<&Data> {
            col.checked_sub(first_col)
                .and_then(|index| cells.get(index as usize))
        };
        let row = ImportRow {
            id: cell_text(at(0)),
            name: cell_text(at(1)),
            role: cell_text(at(2)),
            department: cell_text(at(3)),
        };
        if !row.is_empty() {
            rows.push((sheet_row, row));
        }
    }
    Ok(rows)
}
