use flow_sensors::PushDedupe;

#[test]
fn duplicate_delivery_is_dropped() {
    let mut d = PushDedupe::new();
    assert!(d.accept("m1"));
    assert!(!d.accept("m1"));
}
