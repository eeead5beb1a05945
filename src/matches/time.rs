//! `-m time`: match by date, time of day, weekday and day of the month
//! (`xt_time.h`, `struct xt_time_info`).
//!
//! Dates are Unix seconds, read and printed as UTC (iptables 1.8.9 parses
//! them with `TZ=UTC`); the kernel compares in UTC unless `--kerneltz`.

use iptkit_sys::ext::xt_time::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{c_strtoul, cut, exact, Seen};

/// Weekday names, Monday (bit 1) to Sunday (bit 7).
const WEEK_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `--datestop` when none is given: 2038-01-19T03:14:07 (`INT_MAX`), which
/// iptables-save prints all the same.
pub const DATE_STOP_DEFAULT: u32 = i32::MAX as u32;

/// `-m time`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Time {
    /// `--datestart`: the first second matched (Unix time); 0 when none.
    pub date_start: u32,
    /// `--datestop`: the last second matched; [`DATE_STOP_DEFAULT`] when none.
    pub date_stop: u32,
    /// `--timestart`: start of the daily window, seconds after midnight.
    pub daytime_start: u32,
    /// `--timestop`: its end (23:59:59 when none).
    pub daytime_stop: u32,
    /// `[!] --monthdays`: bit n matches day n of the month (bits 1 to 31
    /// when none; bit 0 is what iptables makes of an empty list item).
    pub monthdays: u32,
    /// `[!] --weekdays`: bit n matches weekday n, 1 = Monday to 7 = Sunday
    /// (bits 1 to 7 when none).
    pub weekdays: u8,
    /// `--kerneltz` (`--localtz`): compare in the kernel's time zone, not UTC.
    pub kerneltz: bool,
    /// `--contiguous`: a window ending before it starts (23:00 to 01:00) is
    /// one period spanning midnight.
    pub contiguous: bool,
}

impl Default for Time {
    fn default() -> Self {
        Time {
            date_start: 0,
            date_stop: DATE_STOP_DEFAULT,
            daytime_start: XT_TIME_MIN_DAYTIME,
            daytime_stop: XT_TIME_MAX_DAYTIME,
            monthdays: XT_TIME_ALL_MONTHDAYS,
            weekdays: XT_TIME_ALL_WEEKDAYS,
            kerneltz: false,
            contiguous: false,
        }
    }
}

const O_DATE_START: u32 = 1 << 0;
const O_DATE_STOP: u32 = 1 << 1;
const O_TIME_START: u32 = 1 << 2;
const O_TIME_STOP: u32 = 1 << 3;
const O_CONTIGUOUS: u32 = 1 << 4;
const O_MONTHDAYS: u32 = 1 << 5;
const O_WEEKDAYS: u32 = 1 << 6;
const O_LOCAL_TZ: u32 = 1 << 7;
const O_UTC: u32 = 1 << 8;
const O_KERNEL_TZ: u32 = 1 << 9;

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1 to 12; the
/// day may be 0 or past the month's end, counting on from the 1st).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468 + day - 1
}

/// The date of a day count (inverse of [`days_from_civil`] for day 1..).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// `time_parse_date`: `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]`, each field read by
/// `strtoul`, normalised by `mktime` in UTC (month 0 is December of the
/// year before, day 0 the last day of the month before).
fn parse_date(option: &str, s: &str) -> Result<u32> {
    let bad = || {
        Error::value(
            option,
            s,
            "invalid date, should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]",
        )
    };
    const SEPS: [u8; 6] = [b'-', b'-', b'T', b':', b':', 0];
    const MAX: [u32; 6] = [2038, 12, 31, 23, 59, 59];
    let mut f = [1970u32, 1, 1, 0, 0, 0];
    let mut rest = s;
    for i in 0..6 {
        let n = c_strtoul(rest, 10);
        // C keeps the low 32 bits in an unsigned int.
        let v = n.value as u32;
        let next = rest.as_bytes().get(n.end).copied();
        if next.is_some_and(|c| c != SEPS[i] || i == 5) || v > MAX[i] || (i == 0 && v < 1970) {
            return Err(bad());
        }
        f[i] = v;
        if next.is_none() {
            break;
        }
        rest = &rest[n.end + 1..];
    }
    let [year, month, day, hour, minute, second] = f.map(i64::from);
    let (year, month) = if month == 0 {
        (year - 1, 12)
    } else {
        (year, month)
    };
    let t = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    u32::try_from(t).map_err(|_| bad())
}

/// `YYYY-MM-DDThh:mm:ss` of a Unix time, in UTC.
fn format_date(t: u32) -> String {
    let t = i64::from(t);
    let (y, mo, d) = civil_from_days(t.div_euclid(86400));
    let s = t.rem_euclid(86400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// `time_parse_minutes`: `hh:mm[:ss]`, seconds after midnight.
fn parse_daytime(option: &str, s: &str) -> Result<u32> {
    let bad = || {
        Error::value(
            option,
            s,
            "invalid time, should be hh:mm[:ss] format and within the boundaries",
        )
    };
    let h = c_strtoul(s, 10);
    let hour = h.value as u32;
    if s.as_bytes().get(h.end) != Some(&b':') || hour > 23 {
        return Err(bad());
    }
    let rest = &s[h.end + 1..];
    let m = c_strtoul(rest, 10);
    let minute = m.value as u32;
    let mut second = 0;
    match rest.as_bytes().get(m.end) {
        None => {}
        Some(b':') => {
            let rest = &rest[m.end + 1..];
            let sec = c_strtoul(rest, 10);
            if sec.end != rest.len() || sec.value as u32 > 59 {
                return Err(bad());
            }
            second = sec.value as u32;
        }
        Some(_) => return Err(bad()),
    }
    if minute > 59 {
        return Err(bad());
    }
    Ok(hour * 3600 + minute * 60 + second)
}

/// The comma-separated items of a day list as iptables cuts them
/// (`my_strseg`): each item truncated to `keep` bytes, a trailing empty
/// item dropped, an empty item in the middle kept.
fn day_items(s: &str, keep: usize) -> Vec<&str> {
    let mut items: Vec<&str> = s.split(',').collect();
    if items.last() == Some(&"") {
        items.pop();
    }
    items.into_iter().map(|i| cut(i, keep)).collect()
}

/// `time_parse_monthdays`: numbers 0 to 31 (read by `strtoul` base 0 from at
/// most two characters each).
fn parse_monthdays(option: &str, s: &str) -> Result<u32> {
    let mut days = 0u32;
    for item in day_items(s, 2) {
        let n = c_strtoul(item, 0);
        let day = n.value as u32;
        if n.end != item.len() || day > 31 {
            return Err(Error::value(
                option,
                s,
                format!("{item} is not a valid day"),
            ));
        }
        days |= 1 << day;
    }
    Ok(days)
}

/// `time_parse_weekdays`: numbers 1 to 7 or names by their first two
/// letters (`Mo`, `Tue`, `Wednesday`), at most three characters of each read.
fn parse_weekdays(option: &str, s: &str) -> Result<u8> {
    let mut days = 0u32;
    for item in day_items(s, 3) {
        let n = c_strtoul(item, 0);
        if n.end == item.len() {
            if n.value as u32 == 0 {
                return Err(Error::value(
                    option,
                    s,
                    "No, the week does NOT begin with Sunday.",
                ));
            }
            // C shifts an int by the count modulo 32 here (x86).
            days |= 1u32.wrapping_shl(n.value as u32);
            continue;
        }
        let found: Vec<usize> = (0..7)
            .filter(|&i| item.as_bytes().get(..2) == Some(&WEEK_DAYS[i].as_bytes()[..2]))
            .collect();
        if found.is_empty() {
            return Err(Error::value(
                option,
                s,
                format!("{item} is not a valid day specifier"),
            ));
        }
        for i in found {
            days |= 1 << (i + 1);
        }
    }
    Ok(days as u8)
}

impl Extension for Time {
    const NAME: &'static str = "time";

    fn example(_family: crate::addr::Family) -> Self {
        Time::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Time::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_time_info = read_struct(Self::NAME, revision, data)?;
        let v = Time {
            date_start: k.date_start,
            date_stop: k.date_stop,
            daytime_start: k.daytime_start,
            daytime_stop: k.daytime_stop,
            monthdays: k.monthdays_match,
            weekdays: k.weekdays_match,
            kerneltz: k.flags & XT_TIME_LOCAL_TZ != 0,
            contiguous: k.flags & XT_TIME_CONTIGUOUS != 0,
        };
        exact(ctx, data, v)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_time_info::zeroed();
        k.date_start = self.date_start;
        k.date_stop = self.date_stop;
        k.daytime_start = self.daytime_start;
        k.daytime_stop = self.daytime_stop;
        k.monthdays_match = self.monthdays;
        k.weekdays_match = self.weekdays;
        if self.kerneltz {
            k.flags |= XT_TIME_LOCAL_TZ;
        }
        if self.contiguous {
            k.flags |= XT_TIME_CONTIGUOUS;
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let flag = format!("--{option}");
        match option {
            "datestart" => {
                seen.take(Self::NAME, option, O_DATE_START, invert, false)?;
                self.date_start = parse_date(&flag, args.value(&flag)?)?;
            }
            "datestop" => {
                seen.take(Self::NAME, option, O_DATE_STOP, invert, false)?;
                self.date_stop = parse_date(&flag, args.value(&flag)?)?;
            }
            "timestart" => {
                seen.take(Self::NAME, option, O_TIME_START, invert, false)?;
                self.daytime_start = parse_daytime(&flag, args.value(&flag)?)?;
            }
            "timestop" => {
                seen.take(Self::NAME, option, O_TIME_STOP, invert, false)?;
                self.daytime_stop = parse_daytime(&flag, args.value(&flag)?)?;
            }
            "contiguous" => {
                seen.take(Self::NAME, option, O_CONTIGUOUS, invert, false)?;
                self.contiguous = true;
            }
            "monthdays" => {
                seen.take(Self::NAME, option, O_MONTHDAYS, invert, true)?;
                self.monthdays = parse_monthdays(&flag, args.value(&flag)?)?;
                if invert {
                    self.monthdays ^= XT_TIME_ALL_MONTHDAYS;
                }
            }
            "weekdays" => {
                seen.take(Self::NAME, option, O_WEEKDAYS, invert, true)?;
                self.weekdays = parse_weekdays(&flag, args.value(&flag)?)?;
                if invert {
                    self.weekdays ^= XT_TIME_ALL_WEEKDAYS;
                }
            }
            // `--localtz` is the old name of `--kerneltz`.
            "localtz" | "kerneltz" => {
                let id = if option == "localtz" {
                    O_LOCAL_TZ
                } else {
                    O_KERNEL_TZ
                };
                seen.take(Self::NAME, option, id, invert, false)?;
                self.kerneltz = true;
            }
            "utc" => seen.take(Self::NAME, option, O_UTC, invert, false)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if seen.has(O_CONTIGUOUS) && self.daytime_start < self.daytime_stop {
            return Err(Error::rule(
                "time",
                "--contiguous only makes sense when stoptime is smaller than starttime",
            ));
        }
        if seen.has(O_UTC) && (seen.has(O_LOCAL_TZ) || seen.has(O_KERNEL_TZ)) {
            return Err(Error::rule(
                "time",
                "--utc cannot be used together with --kerneltz or --localtz",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let hms = |t: u32| format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
        if self.daytime_start != XT_TIME_MIN_DAYTIME || self.daytime_stop != XT_TIME_MAX_DAYTIME {
            push_fmt!(
                out,
                " --timestart {} --timestop {}",
                hms(self.daytime_start),
                hms(self.daytime_stop)
            );
        }
        if self.monthdays != XT_TIME_ALL_MONTHDAYS {
            let days: Vec<String> = (1..=31)
                .filter(|d| self.monthdays & (1 << d) != 0)
                .map(|d: u32| d.to_string())
                .collect();
            push_fmt!(out, " --monthdays {}", days.join(","));
        }
        if self.weekdays != XT_TIME_ALL_WEEKDAYS {
            let days: Vec<&str> = (1..=7)
                .filter(|d| self.weekdays & (1 << d) != 0)
                .map(|d| WEEK_DAYS[d - 1])
                .collect();
            push_fmt!(out, " --weekdays {}", days.join(","));
        }
        for (name, date) in [("datestart", self.date_start), ("datestop", self.date_stop)] {
            if date != 0 {
                push_fmt!(out, " --{name} {}", format_date(date));
            }
        }
        if self.kerneltz {
            out.push_str(" --kerneltz");
        }
        if self.contiguous {
            out.push_str(" --contiguous");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse, save};

    fn text(options: &str) -> String {
        let v4 = ctx(Family::Ipv4);
        match parse::<Time>(&v4, options) {
            Ok(t) => save(&v4, &t),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let v4 = ctx(Family::Ipv4);
        kernel_fixture::<Time>(
            &v4,
            "--weekdays Mon --kerneltz",
            0,
            "00000000ffffff7f000000007f510100feffffff02010000",
        );
    }

    #[test]
    fn dates_like_mktime_in_utc() {
        assert_eq!(format_date(0x7fff_ffff), "2038-01-19T03:14:07");
        assert_eq!(
            parse_date("d", "2038-12-31T23:59:59").unwrap(),
            2_177_452_799
        );
        assert_eq!(format_date(2_177_452_799), "2038-12-31T23:59:59");
        assert_eq!(text("--datestop 2038"), " --datestop 2038-01-01T00:00:00");
        assert_eq!(
            text("--datestart 2000-02-31"),
            " --datestart 2000-03-02T00:00:00 --datestop 2038-01-19T03:14:07"
        );
        assert_eq!(
            text("--datestart 2000-00-00"),
            " --datestart 1999-11-30T00:00:00 --datestop 2038-01-19T03:14:07"
        );
        assert_eq!(
            text("--datestart 2000-1-2T3:4:5"),
            " --datestart 2000-01-02T03:04:05 --datestop 2038-01-19T03:14:07"
        );
        assert_eq!(text("--datestart 1970"), " --datestop 2038-01-19T03:14:07");
        assert_eq!(text("--datestop 1970-01-01T00:00:00"), "");
        assert!(text("--datestart 1969").starts_with("error"));
        assert!(text("--datestart 2039").starts_with("error"));
        assert!(text("--datestart 1970-00").starts_with("error"));
        assert!(text("--datestart 2000-01-01T24").starts_with("error"));
        assert!(text("--datestart 2000-01-01x").starts_with("error"));
        assert!(text("--datestart 2000-01-01T01:02:03:04").starts_with("error"));
    }

    #[test]
    fn days_and_times_like_iptables() {
        let stop = " --datestop 2038-01-19T03:14:07";
        assert_eq!(
            text("--timestart 1:2"),
            format!(" --timestart 01:02:00 --timestop 23:59:59{stop}")
        );
        assert_eq!(text("--timestop 23:59:59"), stop);
        assert_eq!(
            text("--timestart 1:2: --timestop :5"),
            format!(" --timestart 01:02:00 --timestop 00:05:00{stop}")
        );
        assert!(text("--weekdays Mé").starts_with("error"));
        assert_eq!(text("--weekdays 999"), format!(" --weekdays Sun{stop}"));
        assert_eq!(text("--weekdays -1"), format!(" --weekdays {stop}"));
        assert_eq!(text("--monthdays ,"), format!(" --monthdays {stop}"));
        assert_eq!(text("--monthdays \"\""), format!(" --monthdays {stop}"));
        assert_eq!(
            text("--datestart 2000-"),
            format!(" --datestart 1999-12-01T00:00:00{stop}")
        );
        assert!(text("--datestart \"\"").starts_with("error"));
        for bad in ["24:00", "00:00:60", "5", "1:60", "1:2x", "1:2:3x"] {
            assert!(
                text(&format!("--timestart {bad}")).starts_with("error"),
                "{bad}"
            );
        }
        assert_eq!(
            text("! --weekdays Mon"),
            format!(" --weekdays Tue,Wed,Thu,Fri,Sat,Sun{stop}")
        );
        assert_eq!(text("--weekdays Mo,Mon"), format!(" --weekdays Mon{stop}"));
        assert_eq!(text("--weekdays Monday"), format!(" --weekdays Mon{stop}"));
        assert_eq!(text("--weekdays 8"), format!(" --weekdays {stop}"));
        assert!(text("--weekdays 1,Tu,wed,7").starts_with("error"));
        assert!(text("--weekdays 0").starts_with("error"));
        assert!(text("--weekdays Mon,,Tue").starts_with("error"));
        assert_eq!(
            text("! --monthdays 1,31"),
            format!(
                " --monthdays 2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30{stop}"
            )
        );
        assert_eq!(text("--monthdays 0"), format!(" --monthdays {stop}"));
        assert_eq!(text("--monthdays 010"), format!(" --monthdays 1{stop}"));
        assert_eq!(text("--monthdays 1,,2"), format!(" --monthdays 1,2{stop}"));
        assert_eq!(text("--monthdays 123"), format!(" --monthdays 12{stop}"));
        assert!(text("--monthdays 32").starts_with("error"));
        assert!(text("--monthdays 0x1f").starts_with("error"));
    }

    #[test]
    fn zones_and_contiguous() {
        let stop = " --datestop 2038-01-19T03:14:07";
        assert_eq!(text("--localtz"), format!("{stop} --kerneltz"));
        assert_eq!(text("--utc"), stop);
        assert!(text("--utc --kerneltz").starts_with("error"));
        assert!(text("--localtz --utc").starts_with("error"));
        assert!(text("--utc --utc").starts_with("error"));
        assert_eq!(
            text("--timestart 23:00 --timestop 01:00 --contiguous"),
            format!(" --timestart 23:00:00 --timestop 01:00:00{stop} --contiguous")
        );
        assert!(text("--timestart 01:00 --timestop 23:00 --contiguous").starts_with("error"));
        assert!(text("--contiguous").starts_with("error"));
        assert!(text("! --timestart 01:00").starts_with("error"));
    }

    #[test]
    fn conformance_cases() {
        let cases = [
            ("-m time --timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun --datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05 --kerneltz", Some("-m time --timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun --datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05 --kerneltz")),
            ("-m time --timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun --datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05", Some("-m time --timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun --datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05")),
            ("-m time --timestart 02:00:00 --timestop 03:00:00 --datestart 1970-01-01T02:00:00 --datestop 1970-01-01T03:00:00", Some("-m time --timestart 02:00:00 --timestop 03:00:00 --datestart 1970-01-01T02:00:00 --datestop 1970-01-01T03:00:00")),
        ];
        conformance(Family::Ipv4, &cases);
        conformance(Family::Ipv6, &cases);
    }
}
