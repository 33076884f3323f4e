//! Sensors: push delivery and cursor handling.

/// Deduplicates push deliveries by message id.
pub struct PushDedupe {
    seen: Vec<String>,
}

impl PushDedupe {
    pub fn new() -> Self {
        Self { seen: Vec::new() }
    }

    /// Accepts a delivery once; later duplicates are dropped.
    pub fn accept(&mut self, message_id: &str) -> bool {
        if self.seen.iter().any(|m| m == message_id) {
            return false;
        }
        self.seen.push(message_id.to_string());
        true
    }
}

/// Advances a sensor cursor; never moves backwards.
pub fn advance_cursor(current: u64, proposed: u64) -> u64 {
    current.max(proposed)
}
