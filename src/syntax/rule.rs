//! A rule spec in iptables syntax, both ways.

use std::fmt::Write;

use crate::addr::{Family, Net};
use crate::error::{Error, Result};
use crate::extension::{Args, Ctx, Dialect};
use crate::iface::Iface;
use crate::inv::Inv;
use crate::matches::Match;
use crate::names;
use crate::rule::{Counters, Rule};
use crate::ruleset::check_chain_name;
use crate::targets::{Target, TargetExt};
use crate::xtopt::Seen;

use super::getopt::{self, LongOption};
use super::longopts::LongOpt;

/// Parses a rule spec (the words after `-A CHAIN`) into rules, as iptables
/// does: `-s`/`-d` with several comma-separated addresses make one rule for
/// each pair, in iptables' order. Returns the counters given with `-c P B`, if any.
///
/// `-4`/`-6` of the rule's own family are accepted and change nothing; the
/// other family's flag is an error here (restore input skips such lines instead).
pub fn parse_rule_spec(family: Family, words: &[String]) -> Result<(Vec<Rule>, Option<Counters>)> {
    parse_rule_spec_or_skip(family, Args::new(words))?.ok_or_else(|| {
        Error::rule(
            other_family_flag(family),
            format!("the rule is not for {}", family.command()),
        )
    })
}

/// Like [`parse_rule_spec`], as iptables-restore reads a line: `None` when
/// the words reach the other family's flag (`-6` for IPv4, `-4` for IPv6)
/// before any error, so the line is skipped. Options before the flag are
/// checked, options after it are not read (iptables stops there too).
pub(crate) fn parse_rule_spec_or_skip(
    family: Family,
    mut args: Args,
) -> Result<Option<(Vec<Rule>, Option<Counters>)>> {
    let mut p = SpecParser::new(family);
    while let Some(w) = args.next() {
        let (invert, w) = if w == "!" {
            match args.next() {
                Some("!") => return Err(Error::Syntax("multiple `!' flags not allowed".into())),
                Some(w) => (true, w),
                None => return Err(Error::Syntax("`!' at the end of the rule".into())),
            }
        } else {
            (false, w)
        };
        match family_flag(w) {
            Some(_) if invert => return Err(Error::Syntax(format!("unexpected `!' before {w}"))),
            Some(f) if f == family => continue,
            Some(_) => return Ok(None),
            None => p.word(w, invert, &mut args)?,
        }
    }
    p.finish().map(Some)
}

/// The family a `-4`/`--ipv4`/`-6`/`--ipv6` word names.
pub(crate) fn family_flag(word: &str) -> Option<Family> {
    match word {
        "-4" | "--ipv4" => Some(Family::Ipv4),
        "-6" | "--ipv6" => Some(Family::Ipv6),
        _ => None,
    }
}

fn other_family_flag(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "-6",
        Family::Ipv6 => "-4",
    }
}

struct SpecParser<'a> {
    rule: Rule,
    // `-s`/`-d` as given: iptables reads the addresses after the options.
    srcs: Option<&'a str>,
    src_inv: bool,
    dsts: Option<&'a str>,
    dst_inv: bool,
    target_set: bool,
    // How many matches came before `-j`: where the target's options sit
    // in iptables' merged option table.
    target_after: usize,
    counters: Option<Counters>,
    // The options each match (by index) and the target took so far: the
    // parser's bookkeeping, not part of the values.
    match_seen: Vec<Seen>,
    target_seen: Seen,
}

impl<'a> SpecParser<'a> {
    fn new(family: Family) -> SpecParser<'a> {
        SpecParser {
            rule: Rule::new(family),
            srcs: None,
            src_inv: false,
            dsts: None,
            dst_inv: false,
            target_set: false,
            target_after: 0,
            counters: None,
            match_seen: Vec::new(),
            target_seen: Seen::default(),
        }
    }

    fn word(&mut self, w: &'a str, invert: bool, args: &mut Args<'a>) -> Result<()> {
        let family = self.rule.family;
        let option = match w.strip_prefix("--") {
            Some(long) if !long.is_empty() => {
                // getopt_long reads `--name=value` too.
                let (long, attached) = match crate::xtopt::split_once_ascii(long, b'=') {
                    Some((name, value)) => (name, Some(value)),
                    None => (long, None),
                };
                let found = self.long_option(long);
                if let Some(value) = attached {
                    // iptables reads the value of these main options as
                    // `argv[optind - 1]`: the whole word, not what follows `=`.
                    let whole = matches!(
                        found,
                        Some(Long::Main("-p" | "-s" | "-d" | "-j" | "-i" | "-o"))
                    );
                    args.attach(if whole { w } else { value });
                }
                match found {
                    Some(Long::Main(short)) => short,
                    Some(Long::Ext(loaded, name)) => {
                        return self.extension_option(loaded, name, w, invert, args)
                    }
                    None => return Err(Error::UnknownOption(w.to_string())),
                }
            }
            _ => w,
        };
        match option {
            "-s" => {
                once(self.srcs.is_some(), "-s")?;
                self.srcs = Some(args.value("-s")?);
                self.src_inv = invert;
            }
            "-d" => {
                once(self.dsts.is_some(), "-d")?;
                self.dsts = Some(args.value("-d")?);
                self.dst_inv = invert;
            }
            "-i" => {
                once(self.rule.in_iface.is_some(), "-i")?;
                self.rule.in_iface = Some(Inv::new(Iface::new(args.value("-i")?)?, invert));
            }
            "-o" => {
                once(self.rule.out_iface.is_some(), "-o")?;
                self.rule.out_iface = Some(Inv::new(Iface::new(args.value("-o")?)?, invert));
            }
            "-p" => {
                once(self.rule.proto.is_some(), "-p")?;
                let v = args.value("-p")?;
                let proto = names::parse_protocol(v).ok_or_else(|| {
                    Error::value("-p", v, format!("unknown protocol \"{v}\" specified"))
                })?;
                if proto == 0 && invert {
                    return Err(Error::rule("-p", "rule would never match protocol"));
                }
                self.rule.proto = Some(Inv::new(proto, invert));
            }
            "-f" => {
                if family == Family::Ipv6 {
                    return Err(Error::UnknownOption(
                        "-f (IPv6 has no fragment flag; use -m frag)".into(),
                    ));
                }
                once(self.rule.fragment.is_some(), "-f")?;
                self.rule.fragment = Some(!invert);
            }
            "-m" => {
                if invert {
                    return Err(Error::Syntax("unexpected `!' before -m".into()));
                }
                let name = args.value("-m")?;
                let m = Match::by_name(&self.rule.ctx(), name)
                    .ok_or_else(|| Error::UnknownExtension(format!("-m {name}")))?;
                self.add_match(m);
            }
            "-j" | "-g" => {
                if invert {
                    return Err(Error::Syntax(format!("unexpected `!' before {w}")));
                }
                once(self.target_set, "-j/-g")?;
                self.target_set = true;
                self.target_after = self.rule.matches.len();
                self.rule.target = parse_target(&self.rule.ctx(), args.value(w)?, option == "-g")?;
            }
            "-c" => self.counters = Some(parse_set_counters(args)?),
            "-t" => {
                return Err(Error::Syntax(format!(
                    "{w} is not part of a rule (in restore input the table is the `*table` line)"
                )))
            }
            opt if opt.starts_with('-') && opt.len() > 1 => {
                return Err(Error::UnknownOption(w.to_string()))
            }
            other => return Err(Error::Syntax(format!("bad argument `{other}'"))),
        }
        Ok(())
    }

    /// Reads `--long` as iptables does (see [`getopt`](super::getopt)): over
    /// the main options and the loaded extensions', newest first; when that
    /// finds nothing, once more with the protocol's own match loaded
    /// (`-p tcp --dport 22`), which then stays loaded.
    fn long_option(&mut self, long: &str) -> Option<Long> {
        let family = self.rule.family;
        let mut retried = false;
        loop {
            let count = self.rule.matches.len() + usize::from(self.has_target_ext());
            match getopt::resolve(family, long, count, |i| {
                self.options_of(self.loaded(count, i))
            }) {
                Some(LongOption::Main(short)) => return Some(Long::Main(short)),
                Some(LongOption::Ext { index, name }) => {
                    return Some(Long::Ext(self.loaded(count, index), name))
                }
                None if retried => return None,
                None => {
                    let m = self.implicit_proto_match()?;
                    self.add_match(m);
                    retried = true;
                }
            }
        }
    }

    fn has_target_ext(&self) -> bool {
        matches!(self.rule.target, Target::Ext(_))
    }

    /// The `i`th newest of the `count` loaded extensions: the target sits
    /// where `-j` was given among the matches.
    fn loaded(&self, count: usize, i: usize) -> Loaded {
        let at = count - 1 - i;
        match self.has_target_ext() {
            true if at == self.target_after => Loaded::Target,
            true if at > self.target_after => Loaded::Match(at - 1),
            _ => Loaded::Match(at),
        }
    }

    /// The long options of a loaded extension (none when iptables has no
    /// table for it).
    fn options_of(&self, loaded: Loaded) -> &'static [LongOpt] {
        let family = self.rule.family;
        let table = match (loaded, &self.rule.target) {
            (Loaded::Match(i), _) => {
                getopt::match_options(self.rule.matches[i].save_name(), family)
            }
            (Loaded::Target, Target::Ext(t)) => getopt::target_options(t.save_name(), family),
            (Loaded::Target, _) => None,
        };
        table.unwrap_or_default()
    }

    /// Hands option `name` (its full name; `given` as written) to the
    /// extension `loaded`.
    fn extension_option(
        &mut self,
        loaded: Loaded,
        name: &str,
        given: &str,
        invert: bool,
        args: &mut Args,
    ) -> Result<()> {
        let ctx = self.rule.ctx();
        let taken = match (loaded, &mut self.rule.target) {
            (Loaded::Target, Target::Ext(t)) => {
                t.parse_option(&ctx, name, invert, args, &mut self.target_seen)?
            }
            (Loaded::Match(i), _) => self.rule.matches[i].parse_option(
                &ctx,
                name,
                invert,
                args,
                &mut self.match_seen[i],
            )?,
            (Loaded::Target, _) => false,
        };
        if !taken {
            return Err(Error::UnknownOption(format!(
                "{given} (--{name} is not supported by iptkit)"
            )));
        }
        Ok(())
    }

    /// Appends a match, growing the list by exactly one: the rule lives as
    /// long as its table, and most rules have one or two matches (a Vec
    /// would make room for four at once).
    fn add_match(&mut self, m: Match) {
        self.rule.matches.reserve_exact(1);
        self.rule.matches.push(m);
        self.match_seen.push(Seen::default());
    }

    /// The match named after the rule's protocol, unless one is loaded already.
    fn implicit_proto_match(&self) -> Option<Match> {
        let proto = self.rule.proto?.value;
        let name = match proto {
            58 => "icmp6",
            p => names::protocol_name(p)?,
        };
        if self.rule.matches.iter().any(|m| m.name() == name) {
            return None;
        }
        Match::by_name(&self.rule.ctx(), name)
    }

    fn finish(mut self) -> Result<(Vec<Rule>, Option<Counters>)> {
        let family = self.rule.family;
        let srcs = Nets::parse(family, self.srcs, self.src_inv)?;
        let dsts = Nets::parse(family, self.dsts, self.dst_inv)?;
        let ctx = self.rule.ctx();
        for (m, seen) in self.rule.matches.iter_mut().zip(&self.match_seen) {
            m.finish(&ctx, *seen)?;
        }
        if let Target::Ext(t) = &mut self.rule.target {
            t.finish(&ctx, self.target_seen)?;
        }
        if let Some(c) = self.counters {
            self.rule.counters = c;
        }
        let (src_inv, dst_inv) = (self.src_inv, self.dst_inv);
        let with = |mut r: Rule, s: Option<Net>, d: Option<Net>| {
            r.src = s
                .map(|n| Inv::new(n, src_inv))
                .filter(|n| !n.value.is_any() || n.invert);
            r.dst = d
                .map(|n| Inv::new(n, dst_inv))
                .filter(|n| !n.value.is_any() || n.invert);
            r
        };
        let rules = if srcs.len() * dsts.len() == 1 {
            // Nearly every rule: one source and one destination at most.
            vec![with(self.rule, srcs.first, dsts.first)]
        } else {
            let mut rules = Vec::with_capacity(srcs.len() * dsts.len());
            for s in srcs.iter() {
                for d in dsts.iter() {
                    rules.push(with(self.rule.clone(), s, d));
                }
            }
            rules
        };
        Ok((rules, self.counters))
    }
}

/// A loaded extension of the rule being parsed.
#[derive(Clone, Copy, Debug)]
enum Loaded {
    /// The match at this index.
    Match(usize),
    /// The target.
    Target,
}

/// What a long option of the rule names.
enum Long {
    /// A main option, by its short form (`-s`).
    Main(&'static str),
    /// Option `name` (the full name) of a loaded extension.
    Ext(Loaded, &'static str),
}

/// The addresses of `-s` or `-d`: none, one, or several (`-s a,b`).
struct Nets {
    first: Option<Net>,
    rest: Vec<Net>,
}

impl Nets {
    fn parse(family: Family, given: Option<&str>, invert: bool) -> Result<Nets> {
        let mut nets = Nets {
            first: None,
            rest: Vec::new(),
        };
        let Some(given) = given else {
            return Ok(nets);
        };
        for a in crate::xtopt::split_ascii(given, b',') {
            let net = Net::parse(family, a)?;
            match nets.first {
                None => nets.first = Some(net),
                Some(_) => nets.rest.push(net),
            }
        }
        if invert && !nets.rest.is_empty() {
            return Err(Error::rule(
                "-s/-d",
                "! not allowed with multiple source or destination IP addresses",
            ));
        }
        Ok(nets)
    }

    /// How many rules the addresses make: 1 for none.
    fn len(&self) -> usize {
        1 + self.rest.len()
    }

    /// Each address in order, or a single `None` for none.
    fn iter(&self) -> impl Iterator<Item = Option<Net>> + '_ {
        std::iter::once(self.first).chain(self.rest.iter().copied().map(Some))
    }
}

/// `-c PKTS BYTES` or `-c PKTS,BYTES`, as iptables reads them (each number
/// up to its first non-digit, like `sscanf("%llu")`).
fn parse_set_counters(args: &mut Args) -> Result<Counters> {
    let missing = || Error::Syntax("-c requires packet and byte counter".into());
    let pkts = args.next().ok_or_else(missing)?;
    let bytes = match pkts.get(1..).and_then(|rest| rest.find(',')) {
        Some(i) => &pkts[i + 2..],
        None => match args.peek() {
            Some(w) if !w.starts_with('-') && !w.starts_with('!') => {
                args.next().unwrap_or_default()
            }
            _ => return Err(missing()),
        },
    };
    let number = |s: &str, what: &str| {
        let digits: String = s
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits
            .parse::<u64>()
            .map_err(|_| Error::Syntax(format!("-c {what} counter not numeric")))
    };
    Ok(Counters::new(
        number(pkts, "packet")?,
        number(bytes, "byte")?,
    ))
}

fn once(already: bool, option: &str) -> Result<()> {
    if already {
        return Err(Error::rule(
            option,
            "multiple flags of this kind are not allowed",
        ));
    }
    Ok(())
}

/// `-j NAME`: a verdict, a target extension, or a jump to a user chain.
fn parse_target(ctx: &Ctx, name: &str, goto: bool) -> Result<Target> {
    if !goto {
        if let Some(v) = Target::verdict(name) {
            return Ok(v);
        }
        if let Some(t) = TargetExt::by_name(ctx, name) {
            return Ok(Target::Ext(t));
        }
    }
    check_chain_name(name)?;
    Ok(if goto {
        Target::Goto(name.to_string())
    } else {
        Target::Jump(name.to_string())
    })
}

/// The rule as iptables-legacy-save prints it after `-A CHAIN`: each part
/// with a leading space.
pub fn save_rule_spec(r: &Rule) -> String {
    save_rule_spec_as(r, Dialect::Legacy)
}

/// The rule as the given tool's save prints it after `-A CHAIN`: each part
/// with a leading space.
pub fn save_rule_spec_as(r: &Rule, dialect: Dialect) -> String {
    let mut out = String::new();
    write_rule_spec(&mut out, r, dialect);
    out
}

/// Appends `[p:b] -A CHAIN SPEC` (the counters when `counters` is set), as
/// iptables-save prints a rule line, without its newline.
pub(crate) fn write_rule_line(
    out: &mut String,
    r: &Rule,
    chain: &str,
    counters: bool,
    dialect: Dialect,
) {
    if counters {
        push_counters(out, r.counters);
        out.push(' ');
    }
    out.push_str("-A ");
    out.push_str(chain);
    write_rule_spec(out, r, dialect);
}

/// [`write_rule_line`] for text that may hold bytes: what is printed goes
/// to `text`, but for a comment that is not UTF-8, before which `text` is
/// moved to `bytes` and the comment's bytes follow it there.
pub(crate) fn write_rule_line_bytes(
    bytes: &mut Vec<u8>,
    text: &mut String,
    r: &Rule,
    chain: &str,
    counters: bool,
    dialect: Dialect,
) {
    if counters {
        push_counters(text, r.counters);
        text.push(' ');
    }
    text.push_str("-A ");
    text.push_str(chain);
    write_rule_spec_with(text, r, dialect, |text, m, ctx| match m {
        Match::Comment(c) if c.to_str().is_none() => {
            bytes.extend_from_slice(text.as_bytes());
            text.clear();
            bytes.extend_from_slice(b" -m comment");
            c.save_bytes(bytes);
        }
        m => write_match(text, m, ctx),
    });
}

/// Appends `[packets:bytes]`.
pub(crate) fn push_counters(out: &mut String, c: Counters) {
    out.push('[');
    crate::push_uint(out, c.packets);
    out.push(':');
    crate::push_uint(out, c.bytes);
    out.push(']');
}

/// Appends the rule spec as [`save_rule_spec_as`] prints it. A table is
/// printed into one String, so nothing here makes a String of its own.
pub(crate) fn write_rule_spec(out: &mut String, r: &Rule, dialect: Dialect) {
    write_rule_spec_with(out, r, dialect, write_match);
}

/// Appends ` -m NAME OPTIONS`.
pub(crate) fn write_match(out: &mut String, m: &Match, ctx: &Ctx) {
    out.push_str(" -m ");
    out.push_str(m.save_name());
    m.save(ctx, out);
}

/// [`write_rule_spec`], each match printed by `match_text`.
fn write_rule_spec_with(
    out: &mut String,
    r: &Rule,
    dialect: Dialect,
    mut match_text: impl FnMut(&mut String, &Match, &Ctx),
) {
    if let Some(foreign) = &r.foreign {
        // Not restorable on purpose: iptables-restore refuses the `#`.
        out.push_str(" # not an iptables rule: ");
        out.push_str(foreign.exprs());
        return;
    }
    let ctx = Ctx { dialect, ..r.ctx() };
    for (flag, net) in [("-s", &r.src), ("-d", &r.dst)] {
        if let Some(n) = net {
            if !n.value.is_any() || n.invert {
                out.push_str(n.bang());
                out.push(' ');
                out.push_str(flag);
                out.push(' ');
                n.value.write(out);
            }
        }
    }
    for (flag, iface) in [("-i", &r.in_iface), ("-o", &r.out_iface)] {
        if let Some(i) = iface {
            // iptables-nft keeps the name of `! -i +` and prints it; legacy
            // keeps an empty mask and prints nothing.
            let nft_plus = dialect == Dialect::Nft && i.invert && i.value.name() == "+";
            if !i.value.matches_all() || nft_plus {
                out.push_str(i.bang());
                out.push(' ');
                out.push_str(flag);
                out.push(' ');
                out.push_str(i.value.name());
            }
        }
    }
    if let Some(p) = r.proto {
        if p.value != 0 {
            out.push_str(p.bang());
            out.push_str(" -p ");
            match names::protocol_name(p.value) {
                Some(name) => out.push_str(name),
                None => {
                    let _ = write!(out, "{}", p.value);
                }
            }
        }
    }
    if let Some(f) = r.fragment {
        out.push_str(if f { " -f" } else { " ! -f" });
    }
    for m in &r.matches {
        match_text(out, m, &ctx);
    }
    write_target(out, &r.target, &ctx);
}

/// Appends ` -j NAME OPTIONS` or ` -g CHAIN`; nothing for no target.
pub(crate) fn write_target(out: &mut String, target: &Target, ctx: &Ctx) {
    match target {
        Target::Continue => {}
        Target::Goto(c) => {
            out.push_str(" -g ");
            out.push_str(c);
        }
        Target::Ext(t) => write_target_ext(out, t, ctx),
        t => {
            out.push_str(" -j ");
            out.push_str(t.name());
        }
    }
}

/// Appends ` -j NAME OPTIONS` of a target extension.
pub(crate) fn write_target_ext(out: &mut String, t: &TargetExt, ctx: &Ctx) {
    out.push_str(" -j ");
    out.push_str(t.save_name());
    t.save(ctx, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::split_words;

    fn round(family: Family, spec: &str) -> String {
        let (rules, _) = parse_rule_spec(family, &split_words(spec).unwrap()).unwrap();
        rules
            .iter()
            .map(save_rule_spec)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn prints_in_iptables_save_order() {
        assert_eq!(
            round(
                Family::Ipv4,
                "-p tcp -i eth0 -d 192.168.100.77 --dport 4166 -j ACCEPT"
            ),
            " -d 192.168.100.77/32 -i eth0 -p tcp -m tcp --dport 4166 -j ACCEPT"
        );
        assert_eq!(
            round(Family::Ipv4, "! -s 0.0.0.0/0 -f"),
            " ! -s 0.0.0.0/0 -f"
        );
        assert_eq!(round(Family::Ipv4, "-i + -j ACCEPT"), " -j ACCEPT");
        assert_eq!(round(Family::Ipv4, "-p 6 -g foo"), " -p tcp -g foo");
        assert_eq!(
            round(Family::Ipv4, "-s 1.1.1.1,2.2.2.2 -d 3.3.3.3"),
            " -s 1.1.1.1/32 -d 3.3.3.3/32\n -s 2.2.2.2/32 -d 3.3.3.3/32"
        );
        assert_eq!(round(Family::Ipv6, "-s ::1 -p tcp"), " -s ::1/128 -p tcp");
    }

    /// getopt-style abbreviations of long options, as iptables 1.8.9 takes
    /// them and iptables-save prints the rules (issue 8, from rule sets of
    /// istio and antrea).
    #[test]
    fn takes_unambiguous_prefixes_of_long_options() {
        for (spec, saved) in [
            (
                "-p tcp -j REDIRECT --to-port 15053",
                " -p tcp -j REDIRECT --to-ports 15053",
            ),
            ("-j SNAT --to 1.1.1.1", " -j SNAT --to-source 1.1.1.1"),
            (
                "-p tcp -j DNAT --to 2.2.2.2:80",
                " -p tcp -j DNAT --to-destination 2.2.2.2:80",
            ),
            (
                "--proto tcp --in-int eth0 -m state --sta NEW -j ACCEPT",
                " -i eth0 -p tcp -m state --state NEW -j ACCEPT",
            ),
            ("-j LOG --log-pref \"x \"", " -j LOG --log-prefix \"x \""),
            ("-m comment --comm hi", " -m comment --comment hi"),
            (
                "-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp",
                " -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
            ),
            (
                "-p tcp -j REJECT --reject tcp-reset",
                " -p tcp -j REJECT --reject-with tcp-reset",
            ),
            ("-p tcp --dpor 22", " -p tcp -m tcp --dport 22"),
            ("-p tcp --sp 1", " -p tcp -m tcp --sport 1"),
            ("-j MARK --set-m 1", " -j MARK --set-xmark 0x1/0xffffffff"),
            (
                "--fragment --sr 1.2.3.4 --ds 5.6.7.8",
                " -s 1.2.3.4/32 -d 5.6.7.8/32 -f",
            ),
            (
                "-p tcp -m multiport --dport 80,443",
                " -p tcp -m multiport --dports 80,443",
            ),
            (
                "-p tcp -m multiport --dpo 7",
                " -p tcp -m multiport --dports 7",
            ),
            // getopt's `--name=value`.
            (
                "-p tcp --dpor=22 -m comment --comm=\"a b\" -j DNAT --to=1.2.3.4",
                " -p tcp -m tcp --dport 22 -m comment --comment \"a b\" -j DNAT --to-destination 1.2.3.4",
            ),
        ] {
            assert_eq!(round(Family::Ipv4, spec), saved, "{spec}");
        }
    }

    /// What iptables refuses as `unknown option "--x"`: an ambiguous prefix,
    /// and an option of an extension not loaded yet.
    #[test]
    fn refuses_ambiguous_and_not_yet_loaded_options() {
        for (spec, option) in [
            ("-p tcp --s 1.2.3.4", "--s"),
            ("-m conntrack --ctst NEW", "--ctst"),
            ("-m conntrack --ct NEW", "--ct"),
            ("-m mark --set-m 1", "--set-m"),
            ("--to 1.1.1.1 -j SNAT", "--to"),
            ("-j SNAT --to-source 1.1.1.1 --rand", "--rand"),
        ] {
            let e = parse_rule_spec(Family::Ipv4, &split_words(spec).unwrap()).unwrap_err();
            assert!(
                matches!(&e, Error::UnknownOption(o) if o == option),
                "{spec}: {e}"
            );
        }
        // An exact name wins: the second `--dport` is tcp's, not multiport's
        // `--dports` (iptables: "Only one `--destination-port' allowed").
        let spec = "-p tcp -m tcp --dport 5 -m multiport --dport 7";
        let e = parse_rule_spec(Family::Ipv4, &split_words(spec).unwrap()).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidRule { context, .. } if context == "--dport"),
            "{e}"
        );
        // iptables reads `--source=1.2.3.4` as the address `--source=1.2.3.4`.
        for spec in [
            "--source=1.2.3.4",
            "--proto=tcp",
            "--jump=ACCEPT",
            "-p tcp --syn=x",
            "-p tcp --dport=",
        ] {
            assert!(
                parse_rule_spec(Family::Ipv4, &split_words(spec).unwrap()).is_err(),
                "{spec}"
            );
        }
        let e = parse_rule_spec(Family::Ipv6, &split_words("--fragment").unwrap()).unwrap_err();
        assert!(
            matches!(&e, Error::UnknownOption(o) if o == "--fragment"),
            "{e}"
        );
    }

    #[test]
    fn refuses_what_iptables_refuses() {
        let bad = |s: &str| parse_rule_spec(Family::Ipv4, &split_words(s).unwrap()).is_err();
        assert!(bad("-i thisinterfaceistoolong0"));
        assert!(bad("-c \"\""));
        assert!(bad("-c ,3"));
        assert!(bad("-c 3,"));
        assert!(bad("-c ,"));
        let (_, c) =
            parse_rule_spec(Family::Ipv4, &split_words("-c 2,3 -j ACCEPT").unwrap()).unwrap();
        assert_eq!(c, Some(Counters::new(2, 3)));
        let (_, c) = parse_rule_spec(Family::Ipv4, &split_words("-c 4 5").unwrap()).unwrap();
        assert_eq!(c, Some(Counters::new(4, 5)));
        assert!(bad("--nonsense"));
        assert!(bad("-m nosuchmatch"));
        assert!(bad("! -s 1.1.1.1,2.2.2.2"));
        assert!(bad("-p foo"));
        assert!(bad("-j ACCEPT -j DROP"));
        assert!(bad("-j aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(parse_rule_spec(Family::Ipv6, &split_words("-f").unwrap()).is_err());
        assert!(bad("-t nat -j ACCEPT"));
        assert!(bad("-j ACCEPT -6"));
        assert!(bad("-s ::1"));
        assert!(!bad("-4 -s 10.0.0.1 --ipv4 -j ACCEPT"));
        // The other family's flag ends the words before the addresses are read.
        let skip =
            parse_rule_spec_or_skip(Family::Ipv4, Args::new(&split_words("-s ::1 -6").unwrap()));
        assert!(matches!(skip, Ok(None)));
        assert!(
            parse_rule_spec_or_skip(Family::Ipv4, Args::new(&split_words("! -6").unwrap()))
                .is_err()
        );
    }
}
