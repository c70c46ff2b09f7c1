//! PostgreSQL's binary formats for `numeric`, dates and times, which have no Rust type in the
//! driver without extra crates: decoded here into the text a user expects.

use std::fmt::Write as _;

use serde_json::{Number, Value};

type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// The most significant digits a `numeric` may have to be sent as a JSON number: up to 15, every
/// decimal converts to an `f64` and back unchanged.
const EXACT_DIGITS: usize = 15;

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const EPOCH_DAYS: i64 = 10_957;
const MICROS_PER_DAY: i64 = 86_400_000_000;

fn be_i16(raw: &[u8], at: usize) -> Result<i16, BoxError> {
    raw.get(at..at + 2)
        .and_then(|b| b.try_into().ok())
        .map(i16::from_be_bytes)
        .ok_or_else(|| "truncated value".into())
}

fn be_i64(raw: &[u8]) -> Result<i64, BoxError> {
    raw.try_into()
        .map(i64::from_be_bytes)
        .map_err(|_| "an 8-byte value expected".into())
}

/// A `numeric`: a JSON number when it is exact as one, else its exact decimal text (and `NaN`,
/// `Infinity`, `-Infinity` as text).
pub(super) fn numeric(raw: &[u8]) -> Result<Value, BoxError> {
    let count = usize::try_from(be_i16(raw, 0)?).map_err(|_| "bad numeric")?;
    let weight = i64::from(be_i16(raw, 2)?);
    let sign = u16::from_be_bytes(be_i16(raw, 4)?.to_be_bytes());
    let scale = usize::try_from(be_i16(raw, 6)?).map_err(|_| "bad numeric")?;
    match sign {
        0xC000 => return Ok(Value::String("NaN".into())),
        0xD000 => return Ok(Value::String("Infinity".into())),
        0xF000 => return Ok(Value::String("-Infinity".into())),
        _ => {}
    }
    let digits = (0..count)
        .map(|i| be_i16(raw, 8 + 2 * i))
        .collect::<Result<Vec<_>, _>>()?;
    let group = |index: i64| -> i16 {
        usize::try_from(index)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut text = String::new();
    if sign == 0x4000 {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        for index in 0..=weight {
            if index == 0 {
                text.push_str(&group(index).to_string());
            } else {
                let _ = write!(text, "{:04}", group(index));
            }
        }
    }
    if scale > 0 {
        let mut fraction = String::new();
        let mut index = weight + 1;
        while fraction.len() < scale {
            let _ = write!(fraction, "{:04}", group(index));
            index += 1;
        }
        fraction.truncate(scale);
        text.push('.');
        text.push_str(&fraction);
    }
    let significant = text
        .chars()
        .filter(char::is_ascii_digit)
        .skip_while(|c| *c == '0')
        .count();
    if significant <= EXACT_DIGITS {
        let number = if scale == 0 {
            text.parse::<i64>().ok().map(Number::from)
        } else {
            text.parse::<f64>().ok().and_then(Number::from_f64)
        };
        if let Some(number) = number {
            return Ok(Value::Number(number));
        }
    }
    Ok(Value::String(text))
}

/// Year, month, day of a day count from 1970-01-01 (the proleptic Gregorian calendar).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn ymd(days_since_2000: i64) -> String {
    let (year, month, day) = civil(days_since_2000 + EPOCH_DAYS);
    if year <= 0 {
        // PostgreSQL writes year 0 as 1 BC.
        format!("{:04}-{month:02}-{day:02} BC", 1 - year)
    } else {
        format!("{year:04}-{month:02}-{day:02}")
    }
}

fn clock(micros: i64) -> String {
    let seconds = micros / 1_000_000;
    let fraction = micros % 1_000_000;
    let mut text = format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    if fraction != 0 {
        let digits = format!("{fraction:06}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text
}

/// A `date` as `YYYY-MM-DD`.
pub(super) fn date(raw: &[u8]) -> Result<String, BoxError> {
    let days = i32::from_be_bytes(raw.try_into().map_err(|_| "a 4-byte date expected")?);
    Ok(match days {
        i32::MAX => "infinity".into(),
        i32::MIN => "-infinity".into(),
        days => ymd(i64::from(days)),
    })
}

/// A `timestamp` as `YYYY-MM-DDTHH:MM:SS[.ffffff]`, with `Z` for `timestamptz` (sent in UTC).
pub(super) fn timestamp(raw: &[u8], utc: bool) -> Result<String, BoxError> {
    let micros = be_i64(raw)?;
    Ok(match micros {
        i64::MAX => "infinity".into(),
        i64::MIN => "-infinity".into(),
        micros => {
            let days = micros.div_euclid(MICROS_PER_DAY);
            let rest = micros.rem_euclid(MICROS_PER_DAY);
            format!(
                "{}T{}{}",
                ymd(days),
                clock(rest),
                if utc { "Z" } else { "" }
            )
        }
    })
}

/// A `time` as `HH:MM:SS[.ffffff]`.
pub(super) fn time(raw: &[u8]) -> Result<String, BoxError> {
    Ok(clock(be_i64(raw)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_bytes(weight: i16, sign: u16, scale: i16, digits: &[i16]) -> Vec<u8> {
        let mut raw = Vec::new();
        raw.extend_from_slice(&i16::try_from(digits.len()).unwrap().to_be_bytes());
        raw.extend_from_slice(&weight.to_be_bytes());
        raw.extend_from_slice(&sign.to_be_bytes());
        raw.extend_from_slice(&scale.to_be_bytes());
        for d in digits {
            raw.extend_from_slice(&d.to_be_bytes());
        }
        raw
    }

    #[test]
    fn numerics_are_numbers_when_exact_and_text_otherwise() {
        // 12345.67
        let v = numeric(&numeric_bytes(1, 0, 2, &[1, 2345, 6700])).unwrap();
        assert_eq!(v, serde_json::json!(12345.67));
        // -0.005
        let v = numeric(&numeric_bytes(-1, 0x4000, 3, &[50])).unwrap();
        assert_eq!(v, serde_json::json!(-0.005));
        // 1234567890123456789 (19 digits): text, exact
        let v = numeric(&numeric_bytes(4, 0, 0, &[123, 4567, 8901, 2345, 6789])).unwrap();
        assert_eq!(v, serde_json::json!("1234567890123456789"));
        assert_eq!(numeric(&numeric_bytes(0, 0xC000, 0, &[])).unwrap(), "NaN");
        assert!(numeric(&[0, 1]).is_err());
    }

    #[test]
    fn dates_and_times_are_iso_text() {
        assert_eq!(date(&0i32.to_be_bytes()).unwrap(), "2000-01-01");
        assert_eq!(date(&(-1i32).to_be_bytes()).unwrap(), "1999-12-31");
        assert_eq!(date(&9_253i32.to_be_bytes()).unwrap(), "2025-05-02");
        let noon = 12 * 3_600_000_000i64 + 500_000;
        assert_eq!(
            timestamp(&noon.to_be_bytes(), true).unwrap(),
            "2000-01-01T12:00:00.5Z"
        );
        assert_eq!(time(&61_000_000i64.to_be_bytes()).unwrap(), "00:01:01");
        assert_eq!(date(&i32::MAX.to_be_bytes()).unwrap(), "infinity");
    }
}
