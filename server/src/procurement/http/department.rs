//! Tag department: the department list.

use axum::extract::State;
use serde_json::{Value, json};

use crate::{
    app::AppState,
    procurement::{
        extract::Authorized,
        generated::ListDepartments,
        http::{Reply, ok},
        store,
    },
};

/// 获取所有部门: the departments by id.
#[utoipa::path(
    get,
    path = "/department/departments",
    tag = "department",
    responses((status = 200, description = "Envelope with the department list")),
    security(("bearerAuth" = [])),
)]
pub async fn list_departments(
    State(state): State<AppState>,
    _: Authorized<ListDepartments>,
) -> Reply {
    let departments = store::departments(&state.db).await?;
    let list: Vec<Value> = departments
        .iter()
        .map(|department| json!({"id": department.id, "deptName": department.name}))
        .collect();
    ok(Value::Array(list))
}
