//! The files the procurement cases upload, built in memory so that the suite knows their exact
//! bytes: a small PNG and a small JPEG for the signature upload (the download must answer the
//! same bytes), and the user-import workbook, whose ids must be the suite's own.

use anyhow::Result;
use rust_xlsxwriter::Workbook;

/// The signature every .xlsx and .docx file (a ZIP archive) starts with.
pub const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";

/// CRC-32 (IEEE 802.3, as PNG chunks use it), bit by bit: the files are tiny.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffff_u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

/// Adler-32, the checksum that ends a zlib stream.
pub fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A valid 8-bit greyscale PNG of `width` × `height` pixels with a diagonal pattern. The image
/// data is a zlib stream of one stored (uncompressed) deflate block, which every decoder reads.
pub fn png(width: u8, height: u8) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // filter type None
        for x in 0..width {
            raw.push(if x == y { 0 } else { 0xff });
        }
    }
    let len = u16::try_from(raw.len()).unwrap_or(u16::MAX);
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend_from_slice(&len.to_le_bytes());
    zlib.extend_from_slice(&(!len).to_le_bytes());
    zlib.extend_from_slice(&raw);
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut header = Vec::new();
    header.extend_from_slice(&u32::from(width).to_be_bytes());
    header.extend_from_slice(&u32::from(height).to_be_bytes());
    // Bit depth 8, colour type 0 (greyscale), deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[8, 0, 0, 0, 0]);

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut out, b"IHDR", &header);
    png_chunk(&mut out, b"IDAT", &zlib);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A valid baseline JPEG: one 8 × 8 greyscale block of mid grey. Every coefficient is zero, so
/// the entropy-coded data is one DC "category 0" code and one end-of-block code, each given the
/// single one-bit code `0` by its Huffman table.
pub fn jpeg() -> Vec<u8> {
    let mut out = vec![0xff, 0xd8]; // SOI
    // DQT: table 0, 8-bit, all ones.
    out.extend_from_slice(&[0xff, 0xdb, 0x00, 0x43, 0x00]);
    out.extend_from_slice(&[1; 64]);
    // SOF0: 8-bit samples, 8 × 8, one component (id 1, no subsampling, table 0).
    out.extend_from_slice(&[
        0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
    ]);
    // DHT: DC table 0 and AC table 0, each one code of length 1 for symbol 0.
    for class in [0x00, 0x10] {
        out.extend_from_slice(&[0xff, 0xc4, 0x00, 0x14, class, 1]);
        out.extend_from_slice(&[0; 15]);
        out.push(0);
    }
    // SOS: one component using tables 0/0, spectral selection 0..63, no approximation.
    out.extend_from_slice(&[0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
    // Bits `0` (DC category 0) and `0` (end of block), padded with ones.
    out.push(0x3f);
    out.extend_from_slice(&[0xff, 0xd9]); // EOI
    out
}

/// An import workbook laid out like the server's template: row 1 the headers, then one row per
/// user with columns 用户id, 用户名, 角色, 部门名称 as text (`None` leaves the cell empty).
pub fn import_workbook(rows: &[[Option<&str>; 4]]) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in (0u16..).zip(["用户id", "用户名", "角色", "部门名称"]) {
        sheet.write_string(0, col, header)?;
    }
    for (row, cells) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(cells) {
            if let Some(text) = cell {
                sheet.write_string(row, col, *text)?;
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}
