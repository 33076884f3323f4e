//! Schedule ticks.

use std::collections::HashSet;

/// Idempotency key of one schedule tick: `schedule/{name}/{tick}`.
pub fn tick_idempotency_key(name: &str, tick: i64) -> String {
    format!("schedule/{name}/{tick}")
}

/// Remembers which ticks were already evaluated.
pub struct TickLedger {
    seen: HashSet<String>,
}

impl TickLedger {
    pub fn new() -> Self {
        Self { seen: HashSet::new() }
    }

    /// Returns true the first time a tick key is recorded.
    pub fn record(&mut self, key: &str) -> bool {
        self.seen.insert(key.to_string())
    }
}
