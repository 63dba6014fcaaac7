//! One-shot setup of procurement accounts: `admin create-user` and the `--demo` accounts.
//! Departments and roles are seeded by migration `0002_procurement`.

use crate::{
    db::{Db, now_unix},
    password,
    procurement::{
        domain::{self, Role},
        store::{self, NewUser, StoreError},
    },
};

/// Why `admin create-user` refused.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("the user id must be 11 digits, got `{0}`")]
    BadId(String),
    #[error("the name must be 1 to 32 characters")]
    BadName,
    #[error("unknown role `{0}`: use 管理员, 主管院领导, 部门领导 or 普通用户")]
    UnknownRole(String),
    #[error("unknown department `{0}`")]
    UnknownDepartment(String),
    #[error("the password must be 6 to 64 characters")]
    BadPassword,
    #[error("a user with id {0} already exists")]
    Exists(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Creates an active procurement user after checking every field.
pub async fn create_user(
    db: &Db,
    id: &str,
    name: &str,
    role: &str,
    department: &str,
    password: &str,
) -> Result<(), CreateUserError> {
    if !domain::is_user_id(id) {
        return Err(CreateUserError::BadId(id.to_owned()));
    }
    if name.trim().is_empty() || name.chars().count() > 32 {
        return Err(CreateUserError::BadName);
    }
    let role =
        Role::from_name(role).ok_or_else(|| CreateUserError::UnknownRole(role.to_owned()))?;
    if !domain::password_ok(password) {
        return Err(CreateUserError::BadPassword);
    }
    let hash = password::hash(password.to_owned()).await?;
    let user = NewUser {
        id,
        username: name.trim(),
        password_hash: &hash,
        department,
        role,
    };
    match store::create_user(db, &user, now_unix()).await {
        Ok(()) => Ok(()),
        Err(StoreError::UserExists) => Err(CreateUserError::Exists(id.to_owned())),
        Err(StoreError::UnknownDepartment) => {
            Err(CreateUserError::UnknownDepartment(department.to_owned()))
        }
        Err(other) => Err(CreateUserError::Other(anyhow::Error::new(other))),
    }
}

/// The password of every demo account (the spec's fixture password).
pub const DEMO_PASSWORD: &str = "123456";

/// The demo accounts: the six users of the spec's fixture, so the documented examples work
/// against a demo server. `(id, name, role, department)`.
pub const DEMO_USERS: [(&str, &str, Role, &str); 6] = [
    ("12345678910", "管理员", Role::Admin, "办公室"),
    ("12345678911", "张三", Role::Applicant, "办公室"),
    ("12345678912", "院领导", Role::InstLead, "办公室"),
    ("12345678913", "李四", Role::Applicant, "财务部"),
    ("12345678914", "办公室领导", Role::DeptLead, "办公室"),
    ("12345678915", "财务部领导", Role::DeptLead, "财务部"),
];

/// Seeds the demo accounts that do not exist yet; returns how many were added.
pub async fn seed_demo(db: &Db) -> anyhow::Result<usize> {
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut added = 0;
    for (id, name, role, department) in DEMO_USERS {
        let user = NewUser {
            id,
            username: name,
            password_hash: &hash,
            department,
            role,
        };
        match store::create_user(db, &user, now_unix()).await {
            Ok(()) => added += 1,
            Err(StoreError::UserExists) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(added)
}
