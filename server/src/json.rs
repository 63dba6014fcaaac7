//! Reading JSON request values as the specs type them; shared by both APIs' validation.

/// A JSON number that is an integer as JSON Schema counts them: `6` and `6.0` alike (the specs'
/// `type: integer`); a fraction or a value beyond 64 bits is not.
pub fn integer(number: &serde_json::Number) -> Option<i64> {
    number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|value| {
                value.fract() == 0.0 && (i64::MIN as f64..i64::MAX as f64).contains(value)
            })
            .map(|value| value as i64)
    })
}
