//! Workbooks: the printable purchase form of an order and the user-import template (written
//! with rust_xlsxwriter), and the reading of import files (calamine). Knows neither HTTP nor SQL.

use std::{collections::BTreeMap, io::Cursor};

use calamine::{Data, Reader, Xls, Xlsx};
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
                sheet.write_number_with_format(row, 6, line.budget_unit_price.value(), &money)?;
                sheet.write_number_with_format(row, 7, line.budget_total_price.value(), &money)?;
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
    let total = order.total.value();
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

/// Why an import file is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ImportFileError {
    /// Not a readable .xlsx or .xls workbook (or one that unpacks to an absurd size).
    NotAWorkbook,
    /// More than [`domain::MAX_IMPORT_ROWS`] non-empty data rows.
    TooManyRows,
}

/// Largest total unpacked size of an .xlsx's parts: a real 10,000-user sheet unpacks to a few
/// MB, while a zip bomb within the 5 MB upload limit could unpack to gigabytes.
const MAX_UNPACKED_XLSX_BYTES: u64 = 64 * 1024 * 1024;

/// The data rows of the first sheet of an .xlsx or .xls file: `(1-based data row number, row)`
/// for every row that is not entirely empty.
///
/// An .xlsx is read cell by cell and only columns A to D are kept, so a sheet with one cell in
/// its last row and column costs no more than its content. An .xls is small by nature (at most
/// 65,536 × 256 cells, and the upload limit is 5 MB) and read whole.
pub fn read_import(bytes: &[u8]) -> Result<Vec<(usize, ImportRow)>, ImportFileError> {
    let rows = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) {
        read_xls(bytes)?
    } else {
        return Err(ImportFileError::NotAWorkbook);
    };
    if rows.len() > domain::MAX_IMPORT_ROWS {
        return Err(ImportFileError::TooManyRows);
    }
    Ok(rows
        .into_iter()
        .filter(|(_, row)| !row.is_empty())
        .map(|(number, row)| (number as usize, row))
        .collect())
}

fn set_cell(row: &mut ImportRow, col: u32, text: String) {
    match col {
        0 => row.id = text,
        1 => row.name = text,
        2 => row.role = text,
        _ => row.department = text,
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<BTreeMap<u32, ImportRow>, ImportFileError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ImportFileError::NotAWorkbook)?;
    let mut unpacked = 0u64;
    for index in 0..archive.len() {
        let part = archive
            .by_index_raw(index)
            .map_err(|_| ImportFileError::NotAWorkbook)?;
        unpacked = unpacked.saturating_add(part.size());
    }
    if unpacked > MAX_UNPACKED_XLSX_BYTES {
        return Err(ImportFileError::NotAWorkbook);
    }
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|_| ImportFileError::NotAWorkbook)?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return Ok(BTreeMap::new());
    };
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|_| ImportFileError::NotAWorkbook)?;
    let mut rows = BTreeMap::new();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|_| ImportFileError::NotAWorkbook)?
    {
        let (row, col) = cell.get_position();
        // Row 0 is the header; columns after D are ignored.
        if row == 0 || col > 3 {
            continue;
        }
        let text = cell_text(Some(&Data::from(cell.get_value().clone())));
        if text.is_empty() {
            continue;
        }
        if !rows.contains_key(&row) && rows.len() >= domain::MAX_IMPORT_ROWS {
            return Err(ImportFileError::TooManyRows);
        }
        set_cell(rows.entry(row).or_default(), col, text);
    }
    Ok(rows)
}

fn read_xls(bytes: &[u8]) -> Result<BTreeMap<u32, ImportRow>, ImportFileError> {
    let mut workbook: Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|_| ImportFileError::NotAWorkbook)?;
    let range = match workbook.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(_)) => return Err(ImportFileError::NotAWorkbook),
        None => return Ok(BTreeMap::new()),
    };
    let mut rows = BTreeMap::new();
    for (row, col, value) in range.used_cells() {
        let (row, col) = (
            row as u32 + range.start().map_or(0, |start| start.0),
            col as u32 + range.start().map_or(0, |start| start.1),
        );
        if row == 0 || col > 3 {
            continue;
        }
        let text = cell_text(Some(value));
        if !text.is_empty() {
            set_cell(rows.entry(row).or_default(), col, text);
        }
    }
    Ok(rows)
}
