//! HTTP dates (RFC 1123, always GMT) to and from milliseconds since the Unix epoch.
//! Hand-written because the wasm32 target has no clock and a date crate would cost size.

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Formats milliseconds since the epoch as `Tue, 24 Nov 2026 05:44:55 GMT`.
pub fn format_http_date(ms: f64) -> String {
    let secs = (ms / 1000.0).floor() as i64;
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses an RFC 1123 date (`Tue, 24 Nov 2026 05:44:55 GMT`) into milliseconds since the epoch.
pub fn parse_http_date(s: &str) -> Option<f64> {
    let s = s.trim();
    let rest = s.split_once(", ").map_or(s, |(_, r)| r);
    let mut parts = rest.split_ascii_whitespace();
    let day: i64 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as i64 + 1;
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: i64 = hms.next()?.parse().ok()?;
    let mi: i64 = hms.next()?.parse().ok()?;
    let sec: i64 = hms.next()?.parse().ok()?;
    if hms.next().is_some()
        || !matches!(parts.next(), Some("GMT" | "UTC") | None)
        || !(1..=31).contains(&day)
        || !(0..=9999).contains(&year)
        || h > 23
        || mi > 59
        || sec > 60
        || h < 0
        || mi < 0
        || sec < 0
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86400 + h * 3600 + mi * 60 + sec) * 1000) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_dates() {
        assert_eq!(format_http_date(0.0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            format_http_date(1_795_499_095_123.0),
            "Tue, 24 Nov 2026 05:44:55 GMT"
        );
        assert_eq!(
            format_http_date(951_782_400_000.0),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
    }

    #[test]
    fn parses_what_it_formats() {
        for ms in [
            0.0,
            951_782_400_000.0,
            1_795_499_095_000.0,
            4_102_444_800_000.0,
        ] {
            assert_eq!(parse_http_date(&format_http_date(ms)), Some(ms));
        }
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "Tue",
            "Tue, 99 Nov 2026 05:44:55 GMT",
            "Tue, 24 Foo 2026 05:44:55 GMT",
            "Tue, 24 Nov 2026 25:00:00 GMT",
            "Tue, 24 Nov 2026 05:44 GMT",
            "Tue, 24 Nov 99999999999999999999 05:44:55 GMT",
        ] {
            assert_eq!(parse_http_date(s), None, "{s}");
        }
    }
}
