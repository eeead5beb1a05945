//! How iptables reads a long option (`--dport`), so that iptkit takes the
//! same words: `getopt_long` over one table that merges the main options
//! (`--source`, `--jump`, ...) with the options of every extension loaded so
//! far on the line, newest first (`xtables_merge_options`).
//!
//! getopt takes any unambiguous prefix of a long option as that option
//! (`--dpor` is `--dport`, `--to` after `-j SNAT` is `--to-source`): an exact
//! name wins over everything, and a prefix is ambiguous unless every option
//! it begins names the same option (`--sr` is `--src`, `--s` is refused:
//! `--source`, `--set-counters`, ...). iptables turns getopt's error off, so
//! an ambiguous prefix is refused as an unknown option, as a name nobody
//! knows is. An option of an extension loaded later on the line is not in
//! the table yet, and so unknown where it is given.
//!
//! getopt also reads `--name=value`; iptables then takes the value of an
//! extension option from after `=`, but of `-p`, `-s`, `-d`, `-i`, `-o` and
//! `-j` the whole word (`argv[optind - 1]`), which is no valid value.

use crate::addr::Family;

use super::longopts::{ExtTable, LongOpt, MATCHES, TARGETS};

/// The main options of `iptables`/`ip6tables` (`original_opts` in
/// iptables.c), each with the short option it stands for. ip6tables has no
/// `--fragments`; iptables-nft has the same table as iptables.
const MAIN: &[(&str, &str)] = &[
    ("append", "-A"),
    ("delete", "-D"),
    ("check", "-C"),
    ("insert", "-I"),
    ("replace", "-R"),
    ("list", "-L"),
    ("list-rules", "-S"),
    ("flush", "-F"),
    ("zero", "-Z"),
    ("new-chain", "-N"),
    ("delete-chain", "-X"),
    ("rename-chain", "-E"),
    ("policy", "-P"),
    ("source", "-s"),
    ("destination", "-d"),
    ("src", "-s"),
    ("dst", "-d"),
    ("protocol", "-p"),
    ("in-interface", "-i"),
    ("jump", "-j"),
    ("table", "-t"),
    ("match", "-m"),
    ("numeric", "-n"),
    ("out-interface", "-o"),
    ("verbose", "-v"),
    ("wait", "-w"),
    ("wait-interval", "-W"),
    ("exact", "-x"),
    ("fragments", "-f"),
    ("version", "-V"),
    ("help", "-h"),
    ("line-numbers", "--line-numbers"),
    ("modprobe", "-M"),
    ("set-counters", "-c"),
    ("goto", "-g"),
    ("ipv4", "-4"),
    ("ipv6", "-6"),
];

/// What a long option names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LongOption {
    /// A main option, by its short form (`-s`).
    Main(&'static str),
    /// Option `name` of the extension at `index` in the tables given.
    Ext {
        /// Index of the extension's table.
        index: usize,
        /// The option's full name, without dashes.
        name: &'static str,
    },
}

/// Reads long option `given` (without its dashes) as getopt_long does over
/// the main options and then the loaded extensions' options, newest first:
/// `table(0)` to `table(count - 1)`. `None` when no option has that name or
/// prefix, or the prefix is ambiguous. Nothing is allocated: every long
/// option of every rule comes here.
pub(crate) fn resolve(
    family: Family,
    given: &str,
    count: usize,
    table: impl Fn(usize) -> &'static [LongOpt],
) -> Option<LongOption> {
    if given.is_empty() {
        return None;
    }
    let in_family = |name: &str| family == Family::Ipv4 || name != "fragments";
    // An exact name wins wherever it is, and is what nearly every rule
    // gives: one look at each name, before any prefix is compared. No
    // extension has an option named as a main option (a test checks), so
    // the extensions, which most long options belong to, go first.
    for index in 0..count {
        if let Some(&(name, _)) = table(index).iter().find(|(name, _)| same(name, given)) {
            return Some(LongOption::Ext { index, name });
        }
    }
    if let Some(&(name, short)) = MAIN.iter().find(|(name, _)| same(name, given)) {
        if in_family(name) {
            return Some(LongOption::Main(short));
        }
    }
    let main = MAIN
        .iter()
        .filter(|(name, _)| in_family(name))
        .map(|&(name, short)| (name, LongOption::Main(short), 0));
    let exts = (0..count).flat_map(|index| {
        table(index)
            .iter()
            .map(move |&(name, id)| (name, LongOption::Ext { index, name }, id))
    });
    // Two entries name the same option when they have the same owner and
    // id (getopt compares `val`); an extension entry's name is its own.
    let same = |a: (LongOption, u8), b: (LongOption, u8)| match (a, b) {
        ((LongOption::Ext { index: i, .. }, x), (LongOption::Ext { index: j, .. }, y)) => {
            i == j && x == y
        }
        ((x, _), (y, _)) => x == y,
    };
    let mut found: Option<(LongOption, u8)> = None;
    let mut ambiguous = false;
    for (name, option, id) in main.chain(exts) {
        if !name.starts_with(given) {
            continue;
        }
        if name.len() == given.len() {
            return Some(option);
        }
        match found {
            None => found = Some((option, id)),
            Some(first) if !same(first, (option, id)) => ambiguous = true,
            Some(_) => {}
        }
    }
    found.filter(|_| !ambiguous).map(|(option, _)| option)
}

/// The long options of match `name` in `family`, `None` when iptables has
/// no such match.
pub(crate) fn match_options(name: &str, family: Family) -> Option<&'static [LongOpt]> {
    lookup(MATCHES, name, family)
}

/// The long options of target `name` in `family`, `None` when iptables has
/// no such target.
pub(crate) fn target_options(name: &str, family: Family) -> Option<&'static [LongOpt]> {
    lookup(TARGETS, name, family)
}

/// `a == b` for the short names of options and extensions, byte by byte:
/// a call to `memcmp` costs more than the few bytes compared, and every
/// long option of a restore file is looked up.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

fn lookup(tables: &[ExtTable], name: &str, family: Family) -> Option<&'static [LongOpt]> {
    // Sorted by length first: most steps compare two numbers, not two
    // names; names of one length byte by byte (see `same`).
    let v6 = |f: Family| f == Family::Ipv6;
    tables
        .binary_search_by(|&(n, f, _)| {
            n.len()
                .cmp(&name.len())
                .then_with(|| n.bytes().cmp(name.bytes()))
                .then_with(|| v6(f).cmp(&v6(family)))
        })
        .ok()
        .map(|i| tables[i].2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extension::{Args, Ctx};
    use crate::matches::Match;
    use crate::targets::TargetExt;

    const V4: Family = Family::Ipv4;

    fn resolve(family: Family, given: &str, tables: &[&'static [LongOpt]]) -> Option<LongOption> {
        super::resolve(family, given, tables.len(), |i| tables[i])
    }

    fn ext(index: usize, name: &'static str) -> Option<LongOption> {
        Some(LongOption::Ext { index, name })
    }

    #[test]
    fn reads_prefixes_as_getopt_long_does() {
        let tcp = match_options("tcp", V4).unwrap();
        let multiport = match_options("multiport", V4).unwrap();
        let snat = target_options("SNAT", V4).unwrap();
        assert_eq!(resolve(V4, "proto", &[]), Some(LongOption::Main("-p")));
        assert_eq!(resolve(V4, "in-int", &[]), Some(LongOption::Main("-i")));
        assert_eq!(resolve(V4, "sr", &[]), Some(LongOption::Main("-s")));
        assert_eq!(resolve(V4, "de", &[]), None, "delete, destination");
        assert_eq!(resolve(V4, "des", &[]), Some(LongOption::Main("-d")));
        assert_eq!(resolve(V4, "ds", &[]), Some(LongOption::Main("-d")));
        assert_eq!(resolve(V4, "s", &[]), None, "source, set-counters");
        assert_eq!(resolve(V4, "fragment", &[]), Some(LongOption::Main("-f")));
        assert_eq!(resolve(Family::Ipv6, "fragment", &[]), None);
        assert_eq!(resolve(V4, "", &[tcp]), None);
        assert_eq!(resolve(V4, "dpor", &[tcp]), ext(0, "dport"));
        assert_eq!(resolve(V4, "sp", &[tcp]), ext(0, "sport"));
        assert_eq!(resolve(V4, "dport", &[multiport]), ext(0, "dports"));
        // An exact name wins wherever it is in the table.
        assert_eq!(resolve(V4, "dport", &[multiport, tcp]), ext(1, "dport"));
        assert_eq!(resolve(V4, "dpo", &[multiport, tcp]), None);
        assert_eq!(resolve(V4, "to", &[snat]), ext(0, "to-source"));
        assert_eq!(resolve(V4, "random", &[snat]), ext(0, "random"));
        assert_eq!(resolve(V4, "rand", &[snat]), None);
        assert_eq!(resolve(V4, "to", &[]), None);
    }

    /// The exact-name shortcut in `resolve` looks at the extensions before
    /// the main options: right only while no name is in both.
    #[test]
    fn no_extension_option_is_named_as_a_main_option() {
        for (ext, _, table) in MATCHES.iter().chain(TARGETS) {
            for (name, _) in *table {
                assert!(MAIN.iter().all(|(m, _)| m != name), "{ext} --{name}");
            }
        }
    }

    #[test]
    fn tables_are_sorted_for_lookup() {
        for tables in [MATCHES, TARGETS] {
            for (name, family, _) in tables {
                assert!(lookup(tables, name, *family).is_some(), "{name}");
            }
        }
        assert_eq!(
            match_options("tcp", V4).map(|t| t[0].0),
            Some("source-port")
        );
        assert_eq!(
            target_options("REJECT", Family::Ipv6).map(|t| t.len()),
            Some(1)
        );
        assert_eq!(match_options("nosuch", V4), None);
    }

    /// Every typed extension has iptables' table, and takes every option in
    /// it: the table decides which extension an option goes to, so an option
    /// missing from the codec would be refused where iptables takes it.
    #[test]
    fn every_typed_extension_takes_its_table() {
        // Options iptables has and iptkit's codecs do not take.
        const NOT_TAKEN: &[(&str, &str)] = &[];
        for family in [Family::Ipv4, Family::Ipv6] {
            let ctx = Ctx::new(family);
            let mut missing = Vec::new();
            for name in Match::known_names() {
                let Some(m) = Match::by_name(&ctx, name) else {
                    continue;
                };
                let Some(table) = match_options(m.save_name(), family) else {
                    missing.push(format!("-m {} ({family:?}): no table", m.save_name()));
                    continue;
                };
                for &(option, _) in table {
                    let taken = m.clone().parse_option(
                        &ctx,
                        option,
                        false,
                        &mut Args::new(&[]),
                        &mut crate::xtopt::Seen::default(),
                    );
                    if matches!(taken, Ok(false)) && !NOT_TAKEN.contains(&(name, option)) {
                        missing.push(format!("-m {name} --{option} ({family:?})"));
                    }
                }
            }
            for name in TargetExt::known_names() {
                let Some(t) = TargetExt::by_name(&ctx, name) else {
                    continue;
                };
                let Some(table) = target_options(t.save_name(), family) else {
                    missing.push(format!("-j {} ({family:?}): no table", t.save_name()));
                    continue;
                };
                for &(option, _) in table {
                    let taken = t.clone().parse_option(
                        &ctx,
                        option,
                        false,
                        &mut Args::new(&[]),
                        &mut crate::xtopt::Seen::default(),
                    );
                    if matches!(taken, Ok(false)) && !NOT_TAKEN.contains(&(name, option)) {
                        missing.push(format!("-j {name} --{option} ({family:?})"));
                    }
                }
            }
            assert!(missing.is_empty(), "{missing:#?}");
        }
    }
}
