use flow_core::schedule::{tick_idempotency_key, TickLedger};

#[test]
fn tick_key_format_is_stable() {
    assert_eq!(tick_idempotency_key("daily", 7), "schedule/daily/7");
}

#[test]
fn duplicate_tick_is_recorded_once() {
    let mut ledger = TickLedger::new();
    assert!(ledger.record("k"));
    assert!(!ledger.record("k"));
}

#[test]
#[ignore = "needs a real clock"]
fn tick_survives_restart() {}
