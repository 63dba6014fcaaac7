//! The order workflow: one function per operation that changes an order, named after its
//! operationId, deciding who may take the step and what it changes (status, version, reason,
//! the owner's notice). Pure: the handler loads the order, calls the function and hands the
//! [`Change`] to the store, whose conditional `UPDATE` applies it only if nobody changed the
//! order in between.

use super::{NoticeText, OrderInput, OrderStatus, OrderUpdate, Role, notice, status};

/// An order as a workflow step reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderState<'a> {
    pub id: &'a str,
    /// The owner's user id.
    pub owner: &'a str,
    pub department_id: &'a str,
    pub status: OrderStatus,
    /// The status before deletion (set only while deleted).
    pub previous_status: Option<OrderStatus>,
    pub version: i64,
    /// Whether the order was ever submitted (a later submission is a re-submission).
    pub ever_submitted: bool,
}

/// Who takes the step: the authenticated caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor<'a> {
    pub id: &'a str,
    pub role: Role,
    pub department_id: &'a str,
}

/// What a step decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The status the order has and must still have when the change is written.
    pub from: OrderStatus,
    /// The new status.
    pub to: OrderStatus,
    /// The version read, which must still be current when the change is written.
    pub version: i64,
    /// The version after the change (the store's `UPDATE` writes `version + 1`).
    pub next_version: i64,
    /// The new `withdrawalReason`; `None` keeps the current one.
    pub reason: Option<String>,
    /// The notice for the order's owner.
    pub notice: Option<NoticeText>,
}

/// Why a step is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not the caller's order, or not of the leader's department: 31.
    Forbidden,
    /// The order's status does not allow the step: 不可以对申请单做此操作.
    BadTransition,
    /// The order changed since the caller read it: 申请单已被更新.
    Stale,
}

/// A status change `from` → `to` at the order's current version.
fn change(
    order: &OrderState<'_>,
    to: OrderStatus,
    reason: Option<&str>,
    notice: Option<NoticeText>,
) -> Change {
    Change {
        from: order.status,
        to,
        version: order.version,
        next_version: order.version + 1,
        reason: reason.map(str::to_owned),
        notice,
    }
}

/// The step is allowed only from `from`.
fn only_from(order: &OrderState<'_>, from: OrderStatus) -> Result<(), Refusal> {
    if order.status == from {
        Ok(())
    } else {
        Err(Refusal::BadTransition)
    }
}

/// Leaders act on the orders of their own department only.
fn own_department(actor: &Actor<'_>, order: &OrderState<'_>) -> Result<(), Refusal> {
    if actor.department_id == order.department_id {
        Ok(())
    } else {
        Err(Refusal::Forbidden)
    }
}

/// 新建申请单: the caller creates an order for itself; submitting it at once notifies.
/// Answers the notice to send, if any.
pub fn create_order(actor: &Actor<'_>, input: &OrderInput) -> Result<Option<NoticeText>, Refusal> {
    if input.uid != actor.id {
        return Err(Refusal::Forbidden);
    }
    Ok((input.status == status::SUBMITTED).then(|| notice::submitted(&input.apply_user)))
}

/// 修改申请单: the owner replaces a draft's content at the version it read; the draft stays a
/// draft or is submitted (a second submission is announced as a re-submission).
pub fn update_order(
    actor: &Actor<'_>,
    order: &OrderState<'_>,
    update: &OrderUpdate,
) -> Result<Change, Refusal> {
    if order.owner != actor.id || update.input.uid != actor.id {
        return Err(Refusal::Forbidden);
    }
    if order.version != update.version {
        return Err(Refusal::Stale);
    }
    only_from(order, status::DRAFT)?;
    let submitted = update.input.status == status::SUBMITTED;
    let notice = submitted.then(|| {
        if order.ever_submitted {
            notice::resubmitted(&update.input.apply_user)
        } else {
            notice::submitted(&update.input.apply_user)
        }
    });
    Ok(change(order, update.input.status, None, notice))
}

/// 撤回申请单: the owner takes a submitted order back to draft (1 → 0).
pub fn recall_order(actor: &Actor<'_>, order: &OrderState<'_>) -> Result<Change, Refusal> {
    if order.owner != actor.id {
        return Err(Refusal::Forbidden);
    }
    only_from(order, status::SUBMITTED)?;
    Ok(change(order, status::DRAFT, None, None))
}

/// 部门审批通过: a leader of the order's department approves (1 → 2); the owner is notified.
pub fn dept_approve(actor: &Actor<'_>, order: &OrderState<'_>) -> Result<Change, Refusal> {
    own_department(actor, order)?;
    only_from(order, status::SUBMITTED)?;
    let notice = notice::dept_approved(order.id);
    Ok(change(order, status::DEPT_APPROVED, None, Some(notice)))
}

/// 部门打回: a leader of the order's department sends it back to draft with a reason (1 → 0);
/// the owner is notified with the reason.
pub fn dept_deny(
    actor: &Actor<'_>,
    order: &OrderState<'_>,
    reason: &str,
) -> Result<Change, Refusal> {
    own_department(actor, order)?;
    only_from(order, status::SUBMITTED)?;
    let notice = notice::denied(order.id, reason);
    Ok(change(order, status::DRAFT, Some(reason), Some(notice)))
}

/// 主管审批通过: the final approval of a department-approved order (2 → 3); the owner is
/// notified.
pub fn inst_approve(order: &OrderState<'_>) -> Result<Change, Refusal> {
    only_from(order, status::DEPT_APPROVED)?;
    let notice = notice::inst_approved(order.id);
    Ok(change(order, status::INST_APPROVED, None, Some(notice)))
}

/// 主管打回: a department-approved order goes back to draft with a reason (2 → 0); the owner
/// is notified with the reason.
pub fn inst_deny(order: &OrderState<'_>, reason: &str) -> Result<Change, Refusal> {
    only_from(order, status::DEPT_APPROVED)?;
    let notice = notice::denied(order.id, reason);
    Ok(change(order, status::DRAFT, Some(reason), Some(notice)))
}

/// 删除申请单 (admin_delete_order, and the deprecated delete_order): any order not yet
/// deleted gets status -1; the store remembers the status it had.
pub fn admin_delete_order(order: &OrderState<'_>) -> Result<Change, Refusal> {
    if order.status == status::DELETED {
        return Err(Refusal::BadTransition);
    }
    Ok(change(order, status::DELETED, None, None))
}

/// 恢复申请单: a deleted order gets back the status it had before (submitted if unknown).
pub fn admin_restore_order(order: &OrderState<'_>) -> Result<Change, Refusal> {
    only_from(order, status::DELETED)?;
    let to = order.previous_status.unwrap_or(status::SUBMITTED);
    Ok(change(order, to, None, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procurement::domain::Amount;

    const OWNER: &str = "13800000001";
    const LEADER: &str = "13800000002";

    fn order(status: OrderStatus) -> OrderState<'static> {
        OrderState {
            id: "20210104",
            owner: OWNER,
            department_id: "01",
            status,
            previous_status: None,
            version: 3,
            ever_submitted: true,
        }
    }

    fn owner() -> Actor<'static> {
        Actor {
            id: OWNER,
            role: Role::Applicant,
            department_id: "01",
        }
    }

    fn leader(department_id: &'static str) -> Actor<'static> {
        Actor {
            id: LEADER,
            role: Role::DeptLead,
            department_id,
        }
    }

    fn input(status: OrderStatus, uid: &str) -> OrderInput {
        OrderInput {
            apply_department: "办公室".to_owned(),
            apply_user: "张三".to_owned(),
            fund_code: "A00001".to_owned(),
            total: Amount::new(1.0).expect("a finite amount"),
            status,
            lines: Vec::new(),
            uid: uid.to_owned(),
        }
    }

    #[test]
    fn dept_approve_moves_a_submitted_order_on_and_tells_the_owner() {
        let change = dept_approve(&leader("01"), &order(status::SUBMITTED)).unwrap();
        assert_eq!(
            change,
            Change {
                from: status::SUBMITTED,
                to: status::DEPT_APPROVED,
                version: 3,
                next_version: 4,
                reason: None,
                notice: Some(NoticeText {
                    title: "申请单通过通知",
                    content: "编号20210104的申请单已经通过部门审核。".to_owned(),
                }),
            }
        );
    }

    #[test]
    fn dept_steps_refuse_another_departments_order_before_its_status() {
        let other = leader("02");
        assert_eq!(
            dept_approve(&other, &order(status::DRAFT)),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            dept_deny(&other, &order(status::SUBMITTED), "x"),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            dept_approve(&leader("01"), &order(status::DEPT_APPROVED)),
            Err(Refusal::BadTransition)
        );
    }

    #[test]
    fn a_denial_records_the_reason_and_sends_it_to_the_owner() {
        let change = dept_deny(&leader("01"), &order(status::SUBMITTED), "预算不足").unwrap();
        assert_eq!((change.from, change.to), (status::SUBMITTED, status::DRAFT));
        assert_eq!(change.reason.as_deref(), Some("预算不足"));
        let notice = change.notice.unwrap();
        assert_eq!(notice.title, "申请单打回通知");
        assert_eq!(
            notice.content,
            "编号20210104的申请单已被打回；打回原因：预算不足"
        );
        let change = inst_deny(&order(status::DEPT_APPROVED), "重复").unwrap();
        assert_eq!(
            (change.from, change.to),
            (status::DEPT_APPROVED, status::DRAFT)
        );
        assert_eq!(change.reason.as_deref(), Some("重复"));
    }

    #[test]
    fn inst_steps_act_only_on_department_approved_orders() {
        let change = inst_approve(&order(status::DEPT_APPROVED)).unwrap();
        assert_eq!(change.to, status::INST_APPROVED);
        assert_eq!(
            change.notice.unwrap().content,
            "编号20210104的申请单已经通过审核。"
        );
        for status in [status::DRAFT, status::SUBMITTED, status::INST_APPROVED] {
            assert_eq!(inst_approve(&order(status)), Err(Refusal::BadTransition));
            assert_eq!(inst_deny(&order(status), "x"), Err(Refusal::BadTransition));
        }
    }

    #[test]
    fn only_the_owner_recalls_and_only_a_submitted_order() {
        let change = recall_order(&owner(), &order(status::SUBMITTED)).unwrap();
        assert_eq!((change.to, change.notice), (status::DRAFT, None));
        assert_eq!(
            recall_order(&leader("01"), &order(status::SUBMITTED)),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            recall_order(&owner(), &order(status::DEPT_APPROVED)),
            Err(Refusal::BadTransition)
        );
    }

    #[test]
    fn delete_remembers_nothing_itself_and_restore_returns_to_the_previous_status() {
        let change = admin_delete_order(&order(status::DEPT_APPROVED)).unwrap();
        assert_eq!(
            (change.from, change.to),
            (status::DEPT_APPROVED, status::DELETED)
        );
        assert_eq!(
            admin_delete_order(&order(status::DELETED)),
            Err(Refusal::BadTransition)
        );
        let deleted = OrderState {
            previous_status: Some(status::DEPT_APPROVED),
            ..order(status::DELETED)
        };
        assert_eq!(
            admin_restore_order(&deleted).unwrap().to,
            status::DEPT_APPROVED
        );
        assert_eq!(
            admin_restore_order(&order(status::DELETED)).unwrap().to,
            status::SUBMITTED
        );
        assert_eq!(
            admin_restore_order(&order(status::DRAFT)),
            Err(Refusal::BadTransition)
        );
    }

    #[test]
    fn update_order_checks_owner_then_version_then_status_and_names_a_resubmission() {
        let update = |status, version| OrderUpdate {
            id: "20210104".to_owned(),
            version,
            input: input(status, OWNER),
        };
        let change = update_order(
            &owner(),
            &order(status::DRAFT),
            &update(status::SUBMITTED, 3),
        )
        .unwrap();
        assert_eq!(
            (change.from, change.to, change.next_version),
            (status::DRAFT, status::SUBMITTED, 4)
        );
        assert_eq!(change.notice.unwrap().title, "申请单重新提交通知");
        let first = OrderState {
            ever_submitted: false,
            ..order(status::DRAFT)
        };
        let change = update_order(&owner(), &first, &update(status::SUBMITTED, 3)).unwrap();
        assert_eq!(change.notice.unwrap().title, "新的申请单提交通知");
        let change = update_order(&owner(), &first, &update(status::DRAFT, 3)).unwrap();
        assert_eq!((change.to, change.notice), (status::DRAFT, None));
        assert_eq!(
            update_order(
                &leader("01"),
                &order(status::SUBMITTED),
                &update(status::SUBMITTED, 2)
            ),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            update_order(
                &owner(),
                &order(status::SUBMITTED),
                &update(status::SUBMITTED, 2)
            ),
            Err(Refusal::Stale)
        );
        assert_eq!(
            update_order(
                &owner(),
                &order(status::SUBMITTED),
                &update(status::SUBMITTED, 3)
            ),
            Err(Refusal::BadTransition)
        );
    }

    #[test]
    fn create_order_is_for_oneself_and_a_submission_notifies() {
        assert_eq!(
            create_order(&owner(), &input(status::DRAFT, OWNER)),
            Ok(None)
        );
        let notice = create_order(&owner(), &input(status::SUBMITTED, OWNER))
            .unwrap()
            .unwrap();
        assert_eq!(notice.content, "申请人张三提交了一份申请单。");
        assert_eq!(
            create_order(&owner(), &input(status::SUBMITTED, LEADER)),
            Err(Refusal::Forbidden)
        );
    }
}
