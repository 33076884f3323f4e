//! Orchestration core: schedule ticks and run identity.

pub mod schedule;

/// A run key that identifies one logical run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RunKey(pub String);

impl RunKey {
    /// Builds a run key from a schedule name and a tick timestamp.
    pub fn for_tick(schedule: &str, tick_ts: i64) -> Self {
        RunKey(format!("sched:{schedule}:{tick_ts}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_key_is_deterministic() {
        assert_eq!(RunKey::for_tick("daily", 10), RunKey::for_tick("daily", 10));
    }
}
