//! What the unit tests of every match and target codec share: options in,
//! kernel bytes and iptables-save text out, and the runners of the
//! conformance fixtures the codecs embed (rules and what iptables-legacy-save
//! 1.8.9 printed for them).

use crate::addr::Family;
use crate::error::Result;
use crate::extension::{Ctx, Extension};
use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};
use crate::{Match, Target, TargetExt};

/// A family or a whole context, for the helpers that take either.
pub(crate) trait AsCtx {
    /// The context (a family alone has no protocol).
    fn as_ctx(&self) -> Ctx;
}

impl AsCtx for Family {
    fn as_ctx(&self) -> Ctx {
        Ctx::new(*self)
    }
}

impl AsCtx for &Ctx {
    fn as_ctx(&self) -> Ctx {
        **self
    }
}

/// Bytes from a hex dump (`xtdump.py` prints them so; blanks are ignored).
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// A context of `family` without a protocol.
pub(crate) fn ctx(family: Family) -> Ctx {
    Ctx::new(family)
}

/// Parses the option words of one `-m name`/`-j name` (options with their
/// `!`, as the rule parser hands them over) into a fresh value made by
/// `name` (`E::NAME` or an alias), then runs `finish`. An option the
/// extension does not know is an [`Error::UnknownOption`].
pub(crate) fn parse_named<E: Extension>(ctx: &Ctx, name: &str, words: &[&str]) -> Result<E> {
    crate::extension::from_words(ctx, name, words)
}

/// [`parse_named`] under the extension's own name.
pub(crate) fn parse_opts<E: Extension>(ctx: &Ctx, words: &[&str]) -> Result<E> {
    parse_named(ctx, E::NAME, words)
}

/// [`parse_named`] in a rule of `family`.
pub(crate) fn parse_as<E: Extension>(family: Family, name: &str, words: &[&str]) -> Result<E> {
    parse_named(&Ctx::new(family), name, words)
}

/// [`parse_opts`] of options written as one string (iptables-restore
/// quoting: `--dir in --pol ipsec`).
pub(crate) fn parse<E: Extension>(ctx: &Ctx, options: &str) -> Result<E> {
    let words = split_words(options)?;
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    parse_opts(ctx, &words)
}

/// What iptables-save prints for the options of `v`.
pub(crate) fn save<E: Extension>(ctx: &Ctx, v: &E) -> String {
    let mut s = String::new();
    v.save(ctx, &mut s);
    s
}

/// [`save`] in an IPv4 rule.
pub(crate) fn save_as<E: Extension>(v: &E) -> String {
    save(&Ctx::new(Family::Ipv4), v)
}

/// The kernel struct of `v` in a rule of `family`, unpadded.
pub(crate) fn encode_as<E: Extension>(family: Family, v: &E) -> Vec<u8> {
    let mut out = Vec::new();
    v.encode(&Ctx::new(family), &mut out);
    out
}

/// `value` encodes to exactly `bytes` (no padding) and `bytes` decode to
/// `value`.
pub(crate) fn bytes_both_ways<E: Extension>(ctx: &Ctx, value: &E, bytes: &[u8]) {
    let mut out = Vec::new();
    value.encode(ctx, &mut out);
    assert_eq!(out, bytes, "encode");
    assert_eq!(
        &E::decode(ctx, value.revision(), bytes).expect("decode"),
        value,
        "decode"
    );
}

/// `value` encodes to `data` (the kernel's bytes, alignment padding
/// included) and `data` decodes to `value`, at `value`'s revision.
pub(crate) fn both_ways<E: Extension>(ctx: impl AsCtx, value: &E, data: &[u8]) {
    let ctx = ctx.as_ctx();
    let mut out = Vec::new();
    value.encode(&ctx, &mut out);
    assert_eq!(iptkit_sys::xt_align(out.len()), data.len(), "{value:?}");
    assert_eq!(out, data[..out.len()], "{value:?}");
    assert!(data[out.len()..].iter().all(|&b| b == 0));
    let back = E::decode(&ctx, value.revision(), data).unwrap();
    assert_eq!(&back, value);
}

/// Checks a fixture taken from the kernel (`xtdump.py`: the data, padding
/// included): `options` encode to exactly `hex` at `revision`, and `hex`
/// decodes to the same value.
pub(crate) fn kernel_fixture<E: Extension>(ctx: &Ctx, options: &str, revision: u8, hex_: &str) {
    let v: E = parse(ctx, options).unwrap();
    assert_eq!(v.revision(), revision, "revision of `{options}`");
    let bytes = hex(hex_);
    let mut out = Vec::new();
    v.encode(ctx, &mut out);
    out.resize(iptkit_sys::xt_align(out.len()), 0);
    assert_eq!(out, bytes, "bytes of `{options}`");
    assert_eq!(
        E::decode(ctx, revision, &bytes).unwrap(),
        v,
        "decode of `{options}`"
    );
}

/// A rule spec (iptables-restore quoting) parsed and saved as
/// iptables-legacy-save prints it after `-A CHAIN` (one line a rule).
pub(crate) fn round(family: Family, spec: &str) -> Result<String> {
    let (rules, _) = parse_rule_spec(family, &split_words(spec)?)?;
    Ok(rules
        .iter()
        .map(save_rule_spec)
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The target extension of a rule spec that must parse.
pub(crate) fn target(family: Family, spec: &str) -> TargetExt {
    let (rules, _) = parse_rule_spec(family, &split_words(spec).unwrap()).unwrap();
    match &rules[0].target {
        Target::Ext(t) => t.clone(),
        t => panic!("{spec}: not a target extension: {t:?}"),
    }
}

/// One conformance case: the rule's words in `family`, and what
/// iptables-legacy-save printed after `-A CHAIN` (`None`: iptables' parser
/// refused it; `Some("?")`: only the kernel refused it, so it must parse).
///
/// A rule that parses must print exactly that (leading blanks aside), and
/// its matches and target must come back unchanged from their kernel bytes.
/// Returns what went wrong.
fn check_case(family: Family, words: &[String], want: Option<&str>) -> Option<String> {
    let rule = words.join(" ");
    let rules = match (parse_rule_spec(family, words), want) {
        (Err(_), None) => return None,
        (Err(e), Some(_)) => return Some(format!("{family:?} `{rule}` refused: {e}")),
        (Ok((rules, _)), None) => {
            return Some(format!(
                "{family:?} `{rule}` accepted as {:?}, iptables refuses it",
                rules.iter().map(save_rule_spec).collect::<Vec<_>>()
            ))
        }
        (Ok(_), Some("?")) => return None,
        (Ok((rules, _)), Some(_)) => rules,
    };
    let want = want.unwrap_or_default().trim_start();
    let got: Vec<String> = rules.iter().map(save_rule_spec).collect();
    let got = got.join("\n");
    if got.trim_start() != want {
        return Some(format!("{family:?} `{rule}`: want `{want}`, got `{got}`"));
    }
    // What was parsed goes through the kernel bytes unchanged.
    let ctx = rules[0].ctx();
    for m in &rules[0].matches {
        let mut bytes = Vec::new();
        m.encode(&ctx, &mut bytes);
        let mut back = Match::decode(&ctx, m.name(), m.revision(), &bytes);
        if let (Match::Set(s), Match::Set(b)) = (m, &mut back) {
            // The kernel holds the set's index, not its name.
            b.set.name = s.set.name.clone();
            b.set.index = s.set.index;
        }
        if &back != m {
            return Some(format!("{family:?} `{rule}`: {m:?} read back as {back:?}"));
        }
    }
    if let Target::Ext(t) = &rules[0].target {
        let mut bytes = Vec::new();
        t.encode(&ctx, &mut bytes);
        let back = TargetExt::decode(&ctx, t.name(), t.revision(), &bytes);
        if &back != t && !matches!(t, TargetExt::Set(_)) {
            return Some(format!("{family:?} `{rule}`: {t:?} read back as {back:?}"));
        }
    }
    None
}

/// Runs conformance cases given as `(family, rule, saved)` and fails with
/// every miss.
pub(crate) fn conformance_cases<'a>(
    cases: impl IntoIterator<Item = (Family, Vec<String>, Option<&'a str>)>,
) {
    let misses: Vec<String> = cases
        .into_iter()
        .filter_map(|(family, words, want)| check_case(family, &words, want))
        .collect();
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

fn words(rule: &str) -> Vec<String> {
    split_words(rule).unwrap_or_else(|e| panic!("`{rule}`: {e}"))
}

/// Conformance cases of one family: `(rule, saved)`.
pub(crate) fn conformance(family: Family, cases: &[(&str, Option<&str>)]) {
    conformance_cases(cases.iter().map(|&(r, w)| (family, words(r), w)));
}

/// Conformance cases each with its family: `(family, rule, saved)`.
pub(crate) fn conformance_each(cases: &[(Family, &str, Option<&str>)]) {
    conformance_cases(cases.iter().map(|&(f, r, w)| (f, words(r), w)));
}

/// Conformance cases as argv: `(family, words, saved)`.
pub(crate) fn conformance_argv(cases: &[(Family, &[&str], Option<&str>)]) {
    conformance_cases(
        cases
            .iter()
            .map(|&(f, argv, w)| (f, argv.iter().map(|s| s.to_string()).collect(), w)),
    );
}

/// Conformance cases for the families written as digits (`4`, `6` or
/// `46`): `(families, rule, saved)`, the rule split at blanks only.
pub(crate) fn check_cases(cases: &[(u32, &str, Option<&str>)]) {
    conformance_cases(cases.iter().flat_map(|&(families, rule, want)| {
        [('4', Family::Ipv4), ('6', Family::Ipv6)]
            .into_iter()
            .filter(move |(digit, _)| families.to_string().contains(*digit))
            .map(move |(_, family)| {
                let words = rule.split_whitespace().map(String::from).collect();
                (family, words, want)
            })
    }));
}
