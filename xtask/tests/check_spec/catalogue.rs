//! The message catalogue: every message text and error code of the two API documents
//! (`shared/seeds/mgr-api.md`, `shared/seeds/procurement-api.md`) appears in an example of the
//! corresponding spec, and each spec has one operation per documented endpoint (or action).

use serde_json::Value;

use super::real_spec;

/// Every `msg` text of mgr-api.md, byte for byte (the commas are ASCII, as in the document).
const MGR_MESSAGES: [&str; 34] = [
    "登录成功",
    "请使用管理员账户登录",
    "账户无权限登录",
    "错误的用户名或密码",
    "请先登录",
    "不支持的action",
    "登出成功",
    "请填写pagenum",
    "请填写pagesize",
    "id:6不存在",
    "订单中引用了这条数据,禁止删除",
    "未传action类型",
    "错误的action类型",
    "药品名已存在",
    "请求体参数中需要填入data",
    "修改成功",
    "请传入修改的id值",
    "请传入newdata",
    "无此id的药品",
    "请填入相应的修改药品数据",
    "删除成功",
    "请传入删除的id值",
    "无此id,无法删除",
    "订单中正在使用该商品,无法删除",
    "错误的action类型或错误的请求类型",
    "缺少pagenum或pagesize字段",
    "请传入data或传入正确格式的data",
    "请传入customerid",
    "请传入订单名称",
    "请传入medicinelist",
    "请传入正确的id值",
    "请传入正确的data",
    "缺少订单id",
    "没有传入profile",
];

/// The error code table of procurement-api.md. Codes 0 (失败) and 1 (成功) are generic: code 0
/// may carry any message, code 1 must appear at least once with 成功.
const PROCUREMENT_CODES: [(i64, Option<&str>); 16] = [
    (0, None),
    (1, Some("成功")),
    (2, Some("token失效")),
    (3, Some("token为空")),
    (11, Some("参数缺失")),
    (12, Some("参数错误")),
    (21, Some("用户未登录")),
    (22, Some("用户账户过期")),
    (23, Some("账号密码错误")),
    (24, Some("密码过期")),
    (25, Some("账号不可用")),
    (26, Some("账号被锁定")),
    (27, Some("账号不存在")),
    (28, Some("账号已存在")),
    (29, Some("账号下线")),
    (31, Some("没有权限")),
];

/// The `value` of every example object in the document: under media types, parameters and
/// `components/examples` alike (every `examples` map whose entries carry a `value`).
fn example_values(doc: &Value) -> Vec<&Value> {
    let mut found = Vec::new();
    let mut stack = vec![doc];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(examples)) = map.get("examples") {
                    found.extend(examples.values().filter_map(|example| example.get("value")));
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    found
}

fn operation_count(doc: &Value) -> usize {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .values()
                .map(|item| {
                    METHODS
                        .iter()
                        .filter(|method| item.get(**method).is_some())
                        .count()
                })
                .sum()
        })
        .unwrap_or_default()
}

#[test]
fn every_mgr_message_appears_in_an_example_and_every_action_is_an_operation() {
    let doc = real_spec("mgr.yaml");
    let messages: Vec<&str> = example_values(&doc)
        .into_iter()
        .filter_map(|value| value.get("msg").and_then(Value::as_str))
        .collect();
    let missing: Vec<&str> = MGR_MESSAGES
        .into_iter()
        .filter(|wanted| !messages.contains(wanted))
        .collect();
    assert!(
        missing.is_empty(),
        "mgr.yaml has no example with msg {missing:?}"
    );
    assert_eq!(operation_count(&doc), 16, "mgr.yaml operations");
}

#[test]
fn every_procurement_code_appears_with_its_message_and_every_endpoint_is_an_operation() {
    let doc = real_spec("procurement.yaml");
    let pairs: Vec<(i64, Option<&str>)> = example_values(&doc)
        .into_iter()
        .filter_map(|value| {
            let code = value.get("code").and_then(Value::as_i64)?;
            Some((code, value.get("msg").and_then(Value::as_str)))
        })
        .collect();
    let missing: Vec<_> = PROCUREMENT_CODES
        .into_iter()
        .filter(|(code, msg)| {
            !pairs.iter().any(|(seen_code, seen_msg)| {
                seen_code == code && (msg.is_none() || seen_msg == msg)
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "procurement.yaml has no example with (code, msg) {missing:?}"
    );
    assert_eq!(operation_count(&doc), 35, "procurement.yaml operations");
}
