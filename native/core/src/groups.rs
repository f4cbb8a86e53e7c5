//! Command family: order groups (a contracts limit over a rolling 15-second window).
//!
//! Contract (as `augury.engine.exchange`): when a group's matched size within the window
//! reaches its limit it triggers, cancelling its live orders, and takes no order until
//! reset; `trigger` does the same on demand, `delete` cancels and forgets. Only the user
//! who owns a group finds it (any of the user's subaccounts may use it).

use std::collections::{BTreeSet, VecDeque};

use crate::events::Event;
use crate::exchange::{Engine, Value};
use crate::model::OrderGroup;
use crate::rejects::{reject, RejectReason, Res};

impl Engine {
    fn find_group(&self, group_id: &str, user_id: &str) -> Res<u64> {
        let found = self
            .parse_id(4, group_id)
            .filter(|id| self.groups.get(id).is_some_and(|g| self.user_id(g.user) == user_id));
        match found {
            Some(id) => Ok(id),
            None => reject(RejectReason::OrderGroupNotFound, format!("order group {group_id} not found")),
        }
    }

    /// The group an order may join: it must be the user's and not triggered.
    pub(crate) fn order_group(&self, group_id: &str, user_id: &str) -> Res<u64> {
        let id = self.find_group(group_id, user_id)?;
        if self.groups[&id].triggered {
            return reject(RejectReason::OrderGroupTriggered, "order group is triggered; reset it first");
        }
        Ok(id)
    }

    pub(crate) fn create_group(
        &mut self,
        ts: i64,
        user_id: &str,
        sub: i64,
        limit_c: Option<i64>,
    ) -> Res<Value> {
        let (u, acct) = self.account(user_id, sub)?;
        if matches!(limit_c, Some(l) if l <= 0) {
            return reject(RejectReason::InvalidParameters, "contracts_limit must be positive");
        }
        let id = self.new_id();
        self.groups.insert(
            id,
            OrderGroup {
                id,
                acct,
                user: u,
                sub,
                limit_c,
                triggered: false,
                orders: BTreeSet::new(),
                window: VecDeque::new(),
                window_c: 0,
                created_ns: ts,
            },
        );
        self.group_event(id, "created");
        Ok(Value::Str(self.id_text(4, id)))
    }

    fn group_event(&mut self, id: u64, kind: &'static str) {
        let g = &self.groups[&id];
        self.out.push(Event::Group {
            ts_ns: self.now_ns,
            group_id: id,
            user: g.user,
            sub: g.sub,
            kind,
            contracts_limit_c: g.limit_c,
        });
    }

    fn cancel_group_orders(&mut self, id: u64) {
        let members: Vec<u64> = self.groups[&id].orders.iter().copied().collect();
        for order_id in members {
            if let Some(&slot) = self.resting.get(&order_id) {
                // A taker whose last fill tripped the limit has nothing left to cancel.
                if self.order(slot).remaining_c > 0 {
                    self.cancel(slot, "order_group_triggered");
                }
            }
        }
    }

    fn trigger(&mut self, id: u64) {
        self.groups.get_mut(&id).expect("group exists").triggered = true;
        self.cancel_group_orders(id);
        self.group_event(id, "triggered");
    }

    pub(crate) fn group_fill(&mut self, id: u64, count_c: i64) {
        let now = self.now_ns;
        let Some(group) = self.groups.get_mut(&id) else {
            return;
        };
        if group.triggered {
            return;
        }
        if group.record_fill(count_c, now) {
            self.trigger(id);
        }
    }

    pub(crate) fn group_action(&mut self, user_id: &str, group_id: &str, action: &str) -> Res<Value> {
        let id = self.find_group(group_id, user_id)?;
        match action {
            "reset" => {
                self.groups.get_mut(&id).expect("group exists").reset();
                self.group_event(id, "reset");
            }
            "trigger" => self.trigger(id),
            _ => {
                self.cancel_group_orders(id);
                // The event reads the group, so it is built before the group is forgotten.
                self.group_event(id, "deleted");
                self.groups.remove(&id);
            }
        }
        Ok(Value::Str(group_id.to_string()))
    }

    pub(crate) fn group_limit(&mut self, user_id: &str, group_id: &str, limit_c: i64) -> Res<Value> {
        let id = self.find_group(group_id, user_id)?;
        if limit_c <= 0 {
            return reject(RejectReason::InvalidParameters, "contracts_limit must be positive");
        }
        let group = self.groups.get_mut(&id).expect("group exists");
        group.limit_c = Some(limit_c);
        self.group_event(id, "limit_updated");
        let group = &self.groups[&id];
        if !group.triggered && group.window_c >= i128::from(limit_c) {
            self.trigger(id);
        }
        Ok(Value::Str(group_id.to_string()))
    }
}
