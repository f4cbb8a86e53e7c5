//! Command family: users, API keys, tiers, cash and subaccounts.
//!
//! Contract (as `augury.engine.exchange`): a user id is unique and non-empty; cash amounts
//! are positive whole cents; subaccount 0 exists from the start and at most 64 exist;
//! transfer ids (of transfers, and of deposits and withdrawals that carry one) are
//! single-use. Cash events carry the command's own time.

use std::sync::Arc;

use crate::commands::RegisterApiKey;
use crate::hash::Name;
use crate::events::Event;
use crate::exchange::{Engine, Value, MAX_SUBACCOUNTS};
use crate::model::{ApiKey, User};
use crate::rejects::{reject, RejectReason, Res};
use crate::units::py_repr;

const TIERS: [&str; 8] =
    ["basic", "advanced", "expert", "premier", "paragon", "prime", "prestige", "unlimited"];
const DEFAULT_TIER: &str = "default";
const ADMIN_SCOPE: &str = "admin";

impl Engine {
    pub(crate) fn create_user(&mut self, ts: i64, user_id: &str, name: &str) -> Res<Value> {
        if user_id.is_empty() || self.user_ix.contains_key(user_id.as_bytes()) {
            return reject(
                RejectReason::AlreadyExists,
                format!("user {} already exists", py_repr(user_id)),
            );
        }
        let u = self.users.len() as u32;
        let id: Arc<str> = Arc::from(user_id);
        self.users.push(User {
            user_id_enc: crate::msgpack::Name::new(&id),
            user_id: id.clone(),
            name: name.to_string(),
            tier: String::new(),
            subaccounts: 1,
            resting: 0,
            created_ns: ts,
            retired: Default::default(),
        });
        self.user_ix.insert(Name(id), u);
        self.ledger.open_account(u, 0, ts);
        self.out.push(Event::User { ts_ns: ts, user: u, name: name.to_string(), tier: String::new() });
        Ok(Value::Str(user_id.to_string()))
    }

    pub(crate) fn register_key(&mut self, c: &RegisterApiKey<'_>) -> Res<Value> {
        if self.user_index(c.user_id).is_none() {
            return Self::unknown_user(c.user_id);
        }
        if self.api_keys.iter().any(|k| k.api_key_id == c.api_key_id) {
            return reject(RejectReason::AlreadyExists, "api key id already exists");
        }
        self.api_keys.push(ApiKey {
            api_key_id: c.api_key_id.to_string(),
            user_id: c.user_id.to_string(),
            name: c.name.to_string(),
            public_key_pem: c.public_key_pem.to_string(),
            key_type: c.key_type.to_string(),
            scopes: c.scopes.iter().map(|s| s.to_string()).collect(),
            subaccount: c.subaccount,
            created_ns: c.ts_ns,
        });
        self.out.push(Event::ApiKey {
            ts_ns: c.ts_ns,
            api_key_id: c.api_key_id.to_string(),
            user_id: c.user_id.to_string(),
            active: true,
        });
        Ok(Value::Str(c.api_key_id.to_string()))
    }

    pub(crate) fn revoke_key(&mut self, ts: i64, api_key_id: &str, user_id: &str) -> Res<Value> {
        let at = self.api_keys.iter().position(|k| k.api_key_id == api_key_id);
        match at {
            Some(i) if self.api_keys[i].user_id == user_id => {
                // The operator's key (scope "admin") is never revoked: no lockout.
                if self.api_keys[i].scopes.iter().any(|s| s == ADMIN_SCOPE) {
                    return reject(
                        RejectReason::InvalidParameters,
                        "the operator key cannot be revoked",
                    );
                }
                self.api_keys.remove(i);
            }
            _ => return reject(RejectReason::InvalidParameters, "api key not found"),
        }
        self.out.push(Event::ApiKey {
            ts_ns: ts,
            api_key_id: api_key_id.to_string(),
            user_id: user_id.to_string(),
            active: false,
        });
        Ok(Value::Str(api_key_id.to_string()))
    }

    pub(crate) fn set_tier(&mut self, ts: i64, user_id: &str, tier: &str) -> Res<Value> {
        let Some(u) = self.user_index(user_id) else {
            return Self::unknown_user(user_id);
        };
        if !TIERS.contains(&tier) && tier != DEFAULT_TIER {
            return reject(RejectReason::InvalidParameters, format!("unknown tier {}", py_repr(tier)));
        }
        let user = &mut self.users[u as usize];
        user.tier = if tier == DEFAULT_TIER { String::new() } else { tier.to_string() };
        let (name, tier_now) = (user.name.clone(), user.tier.clone());
        self.out.push(Event::User { ts_ns: ts, user: u, name, tier: tier_now });
        Ok(Value::Str(tier.to_string()))
    }

    /// A deposit (`incoming`) or withdrawal. A `transfer_id` makes it idempotent: it shares
    /// the id space of subaccount transfers and is refused the second time.
    pub(crate) fn cash(
        &mut self,
        ts: i64,
        user_id: &str,
        amount: i64,
        sub: i64,
        transfer_id: Option<&str>,
        incoming: bool,
    ) -> Res<Value> {
        let (u, acct) = self.account(user_id, sub)?;
        let transfer_id = transfer_id.filter(|t| !t.is_empty());
        if transfer_id.is_some_and(|t| self.transfer_ids.contains(t)) {
            return reject(RejectReason::AlreadyExists, "transfer id already used");
        }
        if incoming {
            self.ledger.deposit(acct, amount, ts)?;
        } else {
            self.ledger.withdraw(acct, amount, ts)?;
        }
        if let Some(t) = transfer_id {
            self.transfer_ids.insert(Box::from(t));
        }
        self.out.push(Event::Cash {
            ts_ns: ts,
            kind: if incoming { "deposit" } else { "withdrawal" },
            user: u,
            sub,
            amount_cc: amount,
            to_subaccount: None,
            transfer_id: transfer_id.map(str::to_string),
        });
        Ok(Value::Int(self.ledger.accounts[acct as usize].available_cc))
    }

    pub(crate) fn create_subaccount(&mut self, ts: i64, user_id: &str) -> Res<Value> {
        let (u, _) = self.account(user_id, 0)?;
        let user = &mut self.users[u as usize];
        if user.subaccounts > MAX_SUBACCOUNTS {
            return reject(RejectReason::InvalidParameters, "subaccount limit reached");
        }
        let number = user.subaccounts;
        user.subaccounts += 1;
        self.ledger.open_account(u, number, ts);
        Ok(Value::Int(i128::from(number)))
    }

    pub(crate) fn transfer(
        &mut self,
        ts: i64,
        user_id: &str,
        from: i64,
        to: i64,
        amount: i64,
        transfer_id: &str,
    ) -> Res<Value> {
        let (u, source) = self.account(user_id, from)?;
        let (_, target) = self.account(user_id, to)?;
        if self.transfer_ids.contains(transfer_id) {
            return reject(RejectReason::AlreadyExists, "transfer id already used");
        }
        if source == target {
            return reject(RejectReason::InvalidParameters, "cannot transfer to the same subaccount");
        }
        self.ledger.transfer(source, target, amount, ts)?;
        self.transfer_ids.insert(Box::from(transfer_id));
        self.out.push(Event::Cash {
            ts_ns: ts,
            kind: "transfer",
            user: u,
            sub: from,
            amount_cc: amount,
            to_subaccount: Some(to),
            transfer_id: Some(transfer_id.to_string()),
        });
        Ok(Value::Str(transfer_id.to_string()))
    }
}
