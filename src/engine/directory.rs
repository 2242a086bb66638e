//! The live webhooks as this process knows them: who takes which event (an index, so matching
//! costs the same with one webhook or ten thousand), and the gate every attempt passes just
//! before it goes on the wire.
//!
//! A snapshot is trusted only if its check against the store *started* after the caller became
//! ready: then every change committed before that moment (by any process or host) is in it. A
//! check reads the store's webhooks version (one cheap read) and reloads only when it moved;
//! callers that become ready while a check runs wait for the next one, so under load one check
//! serves many attempts.

use crate::engine::model::{Webhook, WILDCARD};
use crate::engine::store::{Store, WebhooksVersion};
use crate::engine::Result;
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// The store connection the directory reads through (shared with the PHP thread's admin calls).
pub type SharedStore = Arc<Mutex<Box<dyn Store>>>;

#[derive(Default)]
pub struct Snapshot {
    version: Option<WebhooksVersion>,
    /// When the check that produced this snapshot started.
    checked_at: Option<Instant>,
    /// Shared between snapshots of the same version: a check that finds nothing changed costs
    /// no copy.
    index: Arc<Index>,
}

#[derive(Default)]
struct Index {
    webhooks: HashMap<i64, Arc<Webhook>>,
    /// (network, event) → webhook ids, in id order.
    by_event: HashMap<(i64, String), Vec<i64>>,
    /// network → ids of webhooks that take every event.
    wildcard: HashMap<i64, Vec<i64>>,
}

impl Index {
    fn build(live: Vec<Webhook>, dead: &HashMap<i64, i64>) -> Index {
        let mut s = Index::default();
        for w in live {
            if dead.get(&w.id).is_some_and(|rev| *rev >= w.revision) {
                continue;
            }
            for event in &w.events {
                if event == WILDCARD {
                    s.wildcard.entry(w.network_id).or_default().push(w.id);
                } else {
                    s.by_event
                        .entry((w.network_id, event.clone()))
                        .or_default()
                        .push(w.id);
                }
            }
            s.webhooks.insert(w.id, Arc::new(w));
        }
        for ids in s.by_event.values_mut().chain(s.wildcard.values_mut()) {
            ids.sort_unstable();
            ids.dedup();
        }
        s
    }
}

impl Snapshot {
    fn build(
        version: WebhooksVersion,
        checked_at: Instant,
        live: Vec<Webhook>,
        dead: &HashMap<i64, i64>,
    ) -> Snapshot {
        Snapshot {
            version: Some(version),
            checked_at: Some(checked_at),
            index: Arc::new(Index::build(live, dead)),
        }
    }

    /// A live webhook by id.
    pub fn get(&self, id: i64) -> Option<&Arc<Webhook>> {
        self.index.webhooks.get(&id)
    }

    /// The live webhooks an event of this network goes to, in id order.
    pub fn takers(&self, network_id: i64, event: &str) -> Vec<&Arc<Webhook>> {
        let index = &self.index;
        let named = index
            .by_event
            .get(&(network_id, event.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let all = index
            .wildcard
            .get(&network_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut ids: Vec<i64> = named.iter().chain(all).copied().collect();
        ids.sort_unstable();
        ids.dedup();
        ids.iter().filter_map(|id| index.webhooks.get(id)).collect()
    }

    pub fn takes_any(&self, network_id: i64, event: &str) -> bool {
        self.index.wildcard.contains_key(&network_id)
            || self
                .index
                .by_event
                .contains_key(&(network_id, event.to_string()))
    }

    pub fn len(&self) -> usize {
        self.index.webhooks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.webhooks.is_empty()
    }
}

pub struct Directory {
    store: SharedStore,
    snapshot: RwLock<Arc<Snapshot>>,
    /// One check at a time; waiting callers are served by the next one.
    checking: Mutex<()>,
    /// Webhooks this process saw die (410 Gone) before the store says so: id → revision.
    dead: Mutex<HashMap<i64, i64>>,
}

impl Directory {
    pub fn new(store: SharedStore) -> Directory {
        Directory {
            store,
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            checking: Mutex::new(()),
            dead: Mutex::new(HashMap::new()),
        }
    }

    /// A snapshot that includes every webhook change committed before `ready`.
    pub fn fresh(&self, ready: Instant) -> Result<Arc<Snapshot>> {
        let is_fresh = |s: &Snapshot| s.checked_at.is_some_and(|at| at >= ready);
        {
            let current = self.snapshot.read();
            if is_fresh(&current) {
                return Ok(current.clone());
            }
        }
        let _one_at_a_time = self.checking.lock();
        let current = self.snapshot.read().clone();
        if is_fresh(&current) {
            return Ok(current);
        }
        let started = Instant::now();
        let mut store = self.store.lock();
        let version = store.webhooks_version()?;
        let next = if current.version == Some(version) {
            Snapshot {
                version: current.version,
                checked_at: Some(started),
                index: current.index.clone(),
            }
        } else {
            let live = store.live_webhooks()?;
            let mut dead = self.dead.lock();
            // A death the store now shows (the revision moved on) no longer needs remembering.
            let revisions: HashMap<i64, i64> = live.iter().map(|w| (w.id, w.revision)).collect();
            dead.retain(|id, rev| revisions.get(id).is_some_and(|now| now <= rev));
            Snapshot::build(version, started, live, &dead)
        };
        drop(store);
        let next = Arc::new(next);
        *self.snapshot.write() = next.clone();
        Ok(next)
    }

    /// The last snapshot, unchecked (for callers that can accept a moment's staleness).
    pub fn last(&self) -> Arc<Snapshot> {
        self.snapshot.read().clone()
    }

    /// A webhook this process just saw die (its endpoint answered 410): nothing more goes to
    /// it from here, even before the disable is committed.
    pub fn mark_dead(&self, webhook_id: i64, revision: i64) {
        self.dead.lock().insert(webhook_id, revision);
        let current = self.snapshot.read().clone();
        if current.index.webhooks.contains_key(&webhook_id) {
            let live: Vec<Webhook> = current
                .index
                .webhooks
                .values()
                .map(|w| w.as_ref().clone())
                .collect();
            let rebuilt = Snapshot::build(
                current.version.unwrap_or(WebhooksVersion(0, 0)),
                current.checked_at.unwrap_or_else(Instant::now),
                live,
                &self.dead.lock(),
            );
            *self.snapshot.write() = Arc::new(rebuilt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{Format, WebhookInput};
    use crate::engine::store::sqlite::SqliteStore;

    fn store(name: &str) -> SharedStore {
        let dir = std::env::temp_dir().join(format!("umw-dir-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Arc::new(Mutex::new(Box::new(
            SqliteStore::open(&dir.join("s.sqlite")).unwrap(),
        )))
    }

    fn add(store: &SharedStore, network: i64, events: &[&str]) -> i64 {
        store
            .lock()
            .insert_webhook(
                &WebhookInput {
                    name: Some("w".into()),
                    url: Some("https://w.example/".into()),
                    events: Some(events.iter().map(|e| e.to_string()).collect()),
                    network_id: Some(network),
                    format: Some(Format::Flat),
                    ..Default::default()
                },
                "whsec_x",
                1,
            )
            .unwrap()
    }

    #[test]
    fn takers_come_from_the_index() {
        let s = store("index");
        let a = add(&s, 1, &["payment_received"]);
        let b = add(&s, 1, &["*"]);
        let c = add(&s, 2, &["payment_received"]);
        let dir = Directory::new(s.clone());
        let snap = dir.fresh(Instant::now()).unwrap();
        let ids = |net, ev| -> Vec<i64> { snap.takers(net, ev).iter().map(|w| w.id).collect() };
        assert_eq!(ids(1, "payment_received"), vec![a, b]);
        assert_eq!(ids(1, "site_published"), vec![b]);
        assert_eq!(ids(2, "payment_received"), vec![c]);
        assert!(ids(3, "payment_received").is_empty());
        assert!(snap.takes_any(1, "anything"));
        assert!(!snap.takes_any(2, "site_published"));
    }

    #[test]
    fn a_change_committed_before_ready_is_always_seen() {
        let s = store("fresh");
        let a = add(&s, 1, &["*"]);
        let dir = Directory::new(s.clone());
        assert!(dir.fresh(Instant::now()).unwrap().get(a).is_some());
        // Another connection changes it; a caller ready after the commit must see it.
        s.lock().delete_webhook(a).unwrap();
        let ready = Instant::now();
        assert!(dir.fresh(ready).unwrap().get(a).is_none());
        // A snapshot checked after `ready` is reused without another check.
        let before = Arc::as_ptr(&dir.last());
        assert_eq!(Arc::as_ptr(&dir.fresh(ready).unwrap()), before);
    }

    #[test]
    fn a_webhook_seen_dead_stays_dead_until_the_store_moves_on() {
        let s = store("dead");
        let a = add(&s, 1, &["*"]);
        let dir = Directory::new(s.clone());
        let rev = dir.fresh(Instant::now()).unwrap().get(a).unwrap().revision;
        dir.mark_dead(a, rev);
        assert!(dir.last().get(a).is_none());
        // Another webhook changes (version moves, reload): still dead at the same revision.
        add(&s, 1, &["x"]);
        assert!(dir.fresh(Instant::now()).unwrap().get(a).is_none());
        // Re-enabled by an admin (a new revision): alive again.
        s.lock()
            .update_webhook(
                a,
                &WebhookInput {
                    active: Some(true),
                    ..Default::default()
                },
                2,
            )
            .unwrap();
        assert!(dir.fresh(Instant::now()).unwrap().get(a).is_some());
    }
}
