//! The canonical state (`augury.engine.state.canonical_state`): everything that defines
//! the exchange, as MessagePack byte-identical to msgspec's encoding of the Python dict, so
//! both engines hash to the same digest exactly when they are in the same state.

use std::sync::Arc;

use crate::exchange::Engine;
use crate::msgpack::Writer;

impl Engine {
    fn ukey(&self, u: u32) -> &str {
        &self.users[u as usize].user_id
    }

    /// The canonical state document (hash it with SHA-256 for the digest).
    pub fn canonical_state(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(4096);
        let l = &self.ledger;
        w.map(16);
        w.str("counters");
        w.array(3);
        w.int(self.id_counter as i64);
        w.int(self.queue_counter as i64);
        w.int(self.now_ns);
        w.str("paused");
        w.bool(self.trading_paused);

        w.str("accounts");
        let mut accts: Vec<(&str, i64, i128, i128)> = l
            .accounts
            .iter()
            .map(|a| (self.ukey(a.user), a.sub, a.available_cc, a.reserved_cc))
            .collect();
        accts.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        w.array(accts.len());
        for (u, s, av, rs) in accts {
            w.array(4);
            w.str(u);
            w.int(s);
            w.int128(av);
            w.int128(rs);
        }

        w.str("positions");
        let mut pos: Vec<(&str, i64, &str, usize)> = l
            .positions
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let a = &l.accounts[p.acct as usize];
                (self.ukey(a.user), a.sub, &*self.markets[p.market as usize].ticker, i)
            })
            .collect();
        pos.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        w.array(pos.len());
        for (u, s, t, i) in pos {
            let p = &l.positions[i];
            w.array(11);
            w.str(u);
            w.int(s);
            w.str(t);
            w.int128(p.position_c);
            w.int128(p.exposure_fine);
            w.int128(p.total_traded_fine);
            w.int128(p.realized_fine);
            w.int128(p.fees_paid_cc);
            w.int(p.resting_orders);
            w.bool(p.settled);
            w.int128(p.traded_c);
        }

        w.str("escrow");
        let mut escrow: Vec<(&str, i128)> = self
            .markets
            .iter()
            .filter_map(|m| m.escrow_cc.map(|e| (&*m.ticker, e)))
            .collect();
        escrow.sort_unstable();
        w.array(escrow.len());
        for (t, v) in escrow {
            w.array(2);
            w.str(t);
            w.int128(v);
        }
        w.str("fees");
        w.int128(l.fee_revenue_cc);
        w.str("external");
        w.int128(l.external_cc);

        w.str("users");
        let mut users: Vec<usize> = (0..self.users.len()).collect();
        users.sort_unstable_by(|&a, &b| self.users[a].user_id.cmp(&self.users[b].user_id));
        w.array(users.len());
        for i in users {
            let u = &self.users[i];
            w.array(5);
            w.str(&u.user_id);
            w.str(&u.name);
            w.str(&u.tier);
            w.int(u.subaccounts);
            w.int(u.resting);
        }

        w.str("api_keys");
        let mut keys: Vec<usize> = (0..self.api_keys.len()).collect();
        keys.sort_unstable_by(|&a, &b| self.api_keys[a].api_key_id.cmp(&self.api_keys[b].api_key_id));
        w.array(keys.len());
        for i in keys {
            let k = &self.api_keys[i];
            w.array(7);
            w.str(&k.api_key_id);
            w.str(&k.user_id);
            w.str(&k.name);
            w.str(&k.key_type);
            w.str(&k.public_key_pem);
            w.array(k.scopes.len());
            for s in &k.scopes {
                w.str(s);
            }
            w.opt_int(k.subaccount);
        }

        w.str("markets");
        let mut markets: Vec<usize> = (0..self.markets.len()).collect();
        markets.sort_unstable_by(|&a, &b| self.markets[a].ticker.cmp(&self.markets[b].ticker));
        w.array(markets.len());
        for i in markets {
            self.canonical_market(i, &mut w);
        }

        w.str("groups");
        let mut groups: Vec<(String, u64)> =
            self.groups.keys().map(|&id| (self.id_text(4, id), id)).collect();
        groups.sort_unstable();
        w.array(groups.len());
        for (text, id) in groups {
            let g = &self.groups[&id];
            w.array(7);
            w.str(&text);
            w.str(self.ukey(g.user));
            w.int(g.sub);
            w.opt_int(g.limit_c);
            w.bool(g.triggered);
            w.int128(g.window_c);
            w.array(g.orders.len());
            for &o in &g.orders {
                self.write_id(&mut w, 1, o);
            }
        }

        w.str("reserves");
        let mut reserves: Vec<(&str, i64, &str, bool, i128)> = self
            .collateral
            .iter()
            .filter(|(_, g)| !g.is_empty() || g.reserve_cc != 0)
            .map(|((acct, m, is_bid), g)| {
                let a = &l.accounts[acct as usize];
                (self.ukey(a.user), a.sub, &*self.markets[m as usize].ticker, is_bid, g.reserve_cc)
            })
            .collect();
        reserves.sort_unstable();
        w.array(reserves.len());
        for (u, s, t, b, r) in reserves {
            w.array(5);
            w.str(u);
            w.int(s);
            w.str(t);
            w.bool(b);
            w.int128(r);
        }

        w.str("client_ids");
        let mut cids: Vec<(&str, &str, u64)> =
            self.client_ids.iter().map(|((u, c), &id)| (self.ukey(*u), &**c, id)).collect();
        cids.sort_unstable();
        w.array(cids.len());
        for (u, c, id) in cids {
            w.array(3);
            w.str(u);
            w.str(c);
            self.write_id(&mut w, 1, id);
        }

        w.str("retired_client_ids");
        self.write_retired(&mut w);

        w.str("transfers");
        let mut transfers: Vec<&str> = self.transfer_ids.iter().map(|s| &**s).collect();
        transfers.sort_unstable();
        w.array(transfers.len());
        for t in transfers {
            w.str(t);
        }

        w.str("closed_orders");
        let mut closed: Vec<(u64, u32, u32)> =
            self.closed_orders.iter().map(|(&id, &(m, a))| (id, m, a)).collect();
        closed.sort_unstable();
        w.array(closed.len());
        for (id, m, acct) in closed {
            let (user, sub): (Arc<str>, i64) = self.account_key(acct);
            w.array(2);
            self.write_id(&mut w, 1, id);
            w.array(2);
            w.str(&self.markets[m as usize].ticker);
            w.array(2);
            w.str(&user);
            w.int(sub);
        }
        w.into_bytes()
    }

    /// `[[user_id, [client ids, oldest first]]]`, sorted by user, for users with any.
    pub(crate) fn write_retired(&self, w: &mut Writer) {
        let mut users: Vec<&crate::model::User> = self.users.iter().filter(|u| !u.retired.is_empty()).collect();
        users.sort_unstable_by(|a, b| a.user_id.cmp(&b.user_id));
        w.array(users.len());
        for u in users {
            w.array(2);
            w.str(&u.user_id);
            w.array(u.retired.len());
            for id in &u.retired {
                w.str(id);
            }
        }
    }

    fn canonical_market(&self, i: usize, w: &mut Writer) {
        let m = &self.markets[i];
        w.array(9);
        w.str(&m.ticker);
        w.str(m.status.as_str());
        w.str(m.result);
        w.opt_int(m.settlement_value_cc);
        w.int(m.book_seq);
        w.int128(m.volume_c);
        w.int128(m.open_interest_c);
        w.int(m.last_price_cc);
        let slots = m.book.resting(&self.orders);
        w.array(slots.len());
        for slot in slots {
            let o = self.order(slot);
            w.array(13);
            self.write_id(w, 1, o.id);
            w.str(self.ukey(o.user));
            w.int(o.sub());
            w.str(o.side().as_str());
            w.int(o.price_cc);
            w.int(o.initial_c);
            w.int(o.fill_c);
            w.int(o.remaining_c);
            w.int(i64::from(o.fee_acc_fine));
            w.int128(o.fills().taker_fees_cc);
            w.int128(o.fills().maker_fees_cc);
            w.opt_int(o.expiration_ts_ns());
            w.int(o.queue_seq as i64);
        }
    }
}
