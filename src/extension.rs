//! The one shape every match and target extension has, and the registry
//! macro that turns a list of extensions into the [`Match`](crate::Match) and
//! [`TargetExt`](crate::TargetExt) enums.
//!
//! An extension is a plain value (`Tcp { dport, .. }`) with four symmetric
//! codecs: kernel bytes in and out (`decode`/`encode`, shared by the legacy
//! backend and nf_tables compat expressions) and iptables words in and out
//! (`parse_option`/`save`). Adding an extension is one file that implements
//! `Extension` and one line in a registry (`CONTRIBUTING.md` at the
//! repository root has the whole list).
//!
//! # Values a user builds
//!
//! Every value a user can build is one the kernel takes, or is refused when
//! built. Per extension that means one of two things:
//!
//! - a `Default` that is valid on its own (`Tcp`, `Limit`, `Log`,
//!   `Reject`, ...: a rule of it commits, in the table and chain the
//!   extension may be used in, with the protocol it needs); or
//! - no `Default` at all, and constructors that take what is required
//!   (`Set::new(name, dirs)`, `Tee::gateway(addr)`, `Dscp::new(46)`),
//!   returning `Result` where a value can be refused (an empty or too long
//!   name, a number out of range). The other fields are set on the value
//!   afterwards. The parser's empty start value is `Extension::start`,
//!   private to the crate.
//!
//! Which one is a property of the extension, so the trait says it:
//! `Extension::example` has no default body and gives the `Default` or
//! the simplest constructor's value. The registry lists them per family
//! (`Match::examples`, `TargetExt::examples`, hidden from the docs), and
//! `tests/extension_values.rs` commits each on both backends, reads it back
//! and has the real `iptables-save` print it. Where an example names
//! something that must exist (a set, an nfacct object, a rate estimator)
//! it is called `example`, which that test creates.

use std::borrow::Cow;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::xtopt::Seen;

/// The name the examples ([`Extension::example`]) give what they name or
/// make: the set, the nfacct object, the rate estimator, the hashlimit
/// table, the idle timer. `tests/extension_values.rs` creates the set and
/// the nfacct object of this name before committing them.
pub(crate) const EXAMPLE_NAME: &str = "example";

/// What an extension may need to know about the rule around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ctx {
    /// IPv4 or IPv6.
    pub family: Family,
    /// The rule's `-p` protocol number, 0 when none.
    pub proto: u8,
    /// `! -p`.
    pub proto_inv: bool,
    /// Whose save output to print: iptables-legacy-save and iptables-nft-save
    /// differ in a few places.
    pub dialect: Dialect,
}

/// Which tool's text to print: iptables-legacy-save or iptables-nft-save.
///
/// They print the same rules the same way but for a few details that follow
/// from how each stores a rule: `! -i +` (legacy keeps no name when the mask
/// is empty and prints nothing; nft prints it), and NFLOG prefixes (legacy
/// keeps 63 bytes in its struct; nft keeps the whole prefix).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// iptables-legacy-save.
    #[default]
    Legacy,
    /// iptables-nft-save.
    Nft,
}

impl Ctx {
    /// A context with no protocol.
    pub fn new(family: Family) -> Ctx {
        Ctx {
            family,
            proto: 0,
            proto_inv: false,
            dialect: Dialect::Legacy,
        }
    }

    /// The rule's protocol name for service lookups (`tcp`, `udp`, ...), as
    /// iptables passes it to `getservbyname`.
    pub fn proto_name(&self) -> String {
        crate::names::protocol_name(self.proto)
            .map_or_else(|| self.proto.to_string(), str::to_string)
    }
}

/// The words of a rule after an option, consumed one at a time.
///
/// Extensions take the values they need with [`Args::value`]; the rule parser
/// owns everything else.
#[derive(Debug)]
pub(crate) struct Args<'a> {
    words: Words<'a>,
    pos: usize,
    // The words come from a restore line that is not UTF-8, and some may
    // stand for bytes (see `syntax::bytes`).
    bytes: bool,
    // The value written into an option's word (`--dport=22`), read before
    // the next word.
    attached: Option<&'a str>,
}

/// The words an [`Args`] reads: owned, as callers hand them in, or borrowed
/// from the line where they can be, as restore input is read.
#[derive(Clone, Copy, Debug)]
enum Words<'a> {
    Owned(&'a [String]),
    Split(&'a [Cow<'a, str>]),
}

impl<'a> Args<'a> {
    /// A cursor over `words`, starting at the first.
    pub fn new(words: &'a [String]) -> Args<'a> {
        Args {
            words: Words::Owned(words),
            pos: 0,
            bytes: false,
            attached: None,
        }
    }

    /// A cursor over words as the line splitter leaves them; `bytes` when
    /// the line was not UTF-8 (see `syntax::bytes`).
    pub(crate) fn split(words: &'a [Cow<'a, str>], bytes: bool) -> Args<'a> {
        Args {
            words: Words::Split(words),
            pos: 0,
            bytes,
            attached: None,
        }
    }

    /// The next word without consuming it.
    pub fn peek(&self) -> Option<&'a str> {
        if self.attached.is_some() {
            return self.attached;
        }
        match self.words {
            Words::Owned(w) => w.get(self.pos).map(String::as_str),
            Words::Split(w) => w.get(self.pos).map(|w| &**w),
        }
    }

    /// Consumes and returns the next word.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<&'a str> {
        if let Some(v) = self.attached.take() {
            return Some(v);
        }
        let w = self.peek()?;
        self.pos += 1;
        Some(w)
    }

    /// Makes `value` the next word: the value getopt reads from an option's
    /// own word (`--dport=22`).
    pub(crate) fn attach(&mut self, value: &'a str) {
        self.attached = Some(value);
    }

    /// The value of `option`: the next word, which must exist. A `!` here is the
    /// intrapositioned negation iptables no longer accepts. A value that is
    /// not UTF-8 (restore input is bytes) is refused: only
    /// [`Args::value_bytes`] takes one.
    pub fn value(&mut self, option: &str) -> Result<&'a str> {
        let v = self.value_text(option)?;
        if self.bytes && crate::syntax::bytes::has_bytes(v) {
            return Err(Error::rule(option, "the value is not valid UTF-8"));
        }
        Ok(v)
    }

    /// The value of `option` as bytes: any bytes, where restore input
    /// gives them (a comment that is not UTF-8).
    pub fn value_bytes(&mut self, option: &str) -> Result<Cow<'a, [u8]>> {
        let v = self.value_text(option)?;
        Ok(if self.bytes {
            crate::syntax::bytes::unescape(v)
        } else {
            Cow::Borrowed(v.as_bytes())
        })
    }

    #[inline]
    fn value_text(&mut self, option: &str) -> Result<&'a str> {
        match self.next() {
            None => Err(Error::MissingValue(option.to_string())),
            Some("!") => Err(Error::rule(
                option,
                "intrapositioned negation (`--option ! this`) is not supported, write `! --option this`",
            )),
            Some(v) => Ok(v),
        }
    }
}

/// A match or target extension: kernel struct and iptables words, both ways.
pub(crate) trait Extension: Sized + Clone + std::fmt::Debug + PartialEq {
    /// The kernel's name of the extension (`tcp`, `conntrack`, `REJECT`).
    const NAME: &'static str;
    /// Other names `-m`/`-j` accepts for it (`state` for `conntrack`).
    const ALIASES: &'static [&'static str] = &[];
    /// The revisions this codec reads and writes, lowest first.
    const REVISIONS: &'static [u8] = &[0];
    /// The families the extension exists in (`ttl` is IPv4 only, `hl` IPv6
    /// only); `-m`/`-j` in another family is an unknown extension, as in iptables.
    const FAMILIES: &'static [Family] = &[Family::Ipv4, Family::Ipv6];
    /// False for a placeholder whose codec is not written yet: the registry
    /// then treats the extension as unknown (raw bytes, no text).
    const TYPED: bool = true;

    /// A fresh value to parse options into, at the revision iptables would
    /// choose. `name` is the name it was asked for (one of NAME and ALIASES).
    fn start(ctx: &Ctx, name: &str) -> Self;

    /// A valid value of the extension for a rule of `family` (one of
    /// [`Extension::FAMILIES`]): its `Default`, or what its simplest
    /// constructor builds. The registry lists them (`Match::examples`), and
    /// `tests/extension_values.rs` commits every one on both backends. It
    /// has no default body, so that no extension is added without one.
    fn example(family: Family) -> Self;

    /// Reads the kernel struct of `revision` (the bytes after the 32-byte
    /// header, alignment padding included).
    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self>;

    /// The revision this value is encoded as.
    fn revision(&self) -> u8;

    /// Appends the kernel struct, unpadded (the caller pads to 8 bytes).
    fn encode(&self, ctx: &Ctx, out: &mut Vec<u8>);

    /// Takes one option (`dport` for `--dport`, without the dashes), with its
    /// `!`, and its values from `args`. Returns `Ok(false)` when the option is
    /// not this extension's, consuming nothing. `seen` is the parser's
    /// bookkeeping for this extension (which options came already), kept
    /// apart from the value so that the value is plain data.
    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool>;

    /// Checks the whole value once every option is in (required options,
    /// combinations, the rule's protocol), with the options `seen`.
    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        Ok(())
    }

    /// The same value at an older `revision` (one of [`Extension::REVISIONS`],
    /// lower than [`Extension::revision`]), for a kernel that lacks the value's
    /// own revision, as iptables falls back to the highest revision the
    /// kernel has. `None` when that revision cannot say the same thing (it
    /// lacks a field the value uses), or the codec cannot tell (the
    /// default).
    fn downgrade(&self, _revision: u8) -> Option<Self> {
        None
    }

    /// The name iptables-save prints after `-m`/`-j` (an alias, when the value
    /// was built through one).
    fn save_name(&self) -> &'static str {
        Self::NAME
    }

    /// Appends the options as iptables-save prints them, each with its
    /// leading space (` --dport 22`).
    fn save(&self, ctx: &Ctx, out: &mut String);
}

/// Builds a value of `E` from its option words as a rule does: a fresh value
/// made by `name` (`E::NAME` or an alias), each option (with its `!`) through
/// `parse_option`, then `finish`. An option the extension does not know is
/// an [`Error::UnknownOption`]. The typed constructors that take text (a
/// hashlimit rate) build through here, so they refuse what iptables refuses.
pub(crate) fn from_words<E: Extension>(ctx: &Ctx, name: &str, words: &[&str]) -> Result<E> {
    let words: Vec<String> = words.iter().map(|s| s.to_string()).collect();
    let mut e = E::start(ctx, name);
    let mut args = Args::new(&words);
    let mut seen = Seen::default();
    while let Some(w) = args.next() {
        let (invert, w) = match w {
            "!" => (true, args.next().unwrap_or_default()),
            w => (false, w),
        };
        if !e.parse_option(ctx, w.trim_start_matches('-'), invert, &mut args, &mut seen)? {
            return Err(Error::UnknownOption(w.to_string()));
        }
    }
    e.finish(ctx, seen)?;
    Ok(e)
}

/// Reads a NUL-padded C string field.
pub(crate) fn c_str(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Refuses a name a constructor is given when the kernel would: empty, or
/// longer than the `max` bytes its field holds without the NUL. `what`
/// says what it names (`set name`), `option` where it goes (`--match-set`).
pub(crate) fn check_name(what: &'static str, option: &str, name: &str, max: usize) -> Result<()> {
    if name.is_empty() {
        return Err(Error::value(option, name, format!("an empty {what}")));
    }
    if name.len() > max {
        return Err(Error::NameTooLong {
            what,
            name: name.to_string(),
            max,
        });
    }
    Ok(())
}

/// Writes `s` into a NUL-padded C string field; errors when it does not fit
/// with its NUL.
pub(crate) fn put_c_str<const N: usize>(
    what: &'static str,
    s: &str,
    field: &mut [u8; N],
) -> Result<()> {
    if s.len() >= N {
        return Err(Error::NameTooLong {
            what,
            name: s.to_string(),
            max: N - 1,
        });
    }
    field.fill(0);
    field[..s.len()].copy_from_slice(s.as_bytes());
    Ok(())
}

/// True when `encode` writes `data` back: the same bytes once both are
/// padded to XT_ALIGN (the kernel always hands over padded data).
pub(crate) fn writes_back(data: &[u8], encode: impl FnOnce(&mut Vec<u8>)) -> bool {
    // Every match and target read is checked: one buffer per thread, not
    // an allocation per check (a fresh one if an encoder checks in turn).
    thread_local! {
        static AGAIN: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let check = |again: &mut Vec<u8>| {
        again.clear();
        encode(again);
        let len = iptkit_sys::xt_align(again.len().max(data.len()));
        again.resize(len, 0);
        again[..data.len()] == *data && again[data.len()..].iter().all(|&b| b == 0)
    };
    AGAIN.with(|again| match again.try_borrow_mut() {
        Ok(mut again) => check(&mut again),
        Err(_) => check(&mut Vec::new()),
    })
}

/// Reads a kernel struct, or says which extension's data was too short.
pub(crate) fn read_struct<T: iptkit_sys::Pod>(ext: &str, revision: u8, data: &[u8]) -> Result<T> {
    T::read_from(data).ok_or_else(|| {
        Error::Malformed(format!(
            "{ext} revision {revision}: {} bytes of data, expected {}",
            data.len(),
            std::mem::size_of::<T>()
        ))
    })
}

/// An error for an unsupported revision.
pub(crate) fn bad_revision(ext: &str, revision: u8) -> Error {
    Error::Malformed(format!("{ext}: revision {revision} is not supported"))
}

/// A match or target this crate has no codec for, kept byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unknown {
    /// Kernel name.
    pub name: String,
    /// Revision.
    pub revision: u8,
    /// The data after the header, padding included.
    pub data: Vec<u8>,
}

/// Marks a type as one of the variants of the extension enum `E`, so that
/// wrappers of `E` can offer `From` for every extension type and typed
/// lookups ([`Rule::find`](crate::Rule::find)).
pub trait Member<E>: Sized {
    /// The value when `e` is this type's variant.
    fn from_ref(e: &E) -> Option<&Self>;
}

/// A reference to the value a registry variant holds (see [`payload`]).
macro_rules! unwrap_ref {
    ($v:expr) => {
        $v
    };
    ($v:expr, boxed) => {
        &**$v
    };
}
pub(crate) use unwrap_ref;

/// The payload of a registry variant: the extension's value, or a box of
/// it for a variant marked `boxed`.
macro_rules! payload {
    ($ty:ty) => { $ty };
    ($ty:ty, boxed) => { Box<$ty> };
}
pub(crate) use payload;

/// A value as its registry variant holds it (see [`payload`]).
macro_rules! wrap {
    ($v:expr) => {
        $v
    };
    ($v:expr, boxed) => {
        Box::new($v)
    };
}
pub(crate) use wrap;

/// Generates an extension enum from `Variant(Type)` lines, with an `Unknown`
/// variant and the dispatch every caller needs. Used by `matches/mod.rs` and
/// `targets/mod.rs`.
///
/// A line `Variant(Type) boxed` keeps its value in a `Box`: a rule holds its
/// matches and its target by value, so the enum is as large as its largest
/// inline variant, and a few big, rarely used values would make every rule
/// of a table pay for them. `From<Type>` boxes it.
macro_rules! registry {
    (
        $(#[$meta:meta])*
        pub enum $enum:ident { $( $variant:ident($ty:ty) $($boxed:ident)? ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $enum {
            $(
                #[doc = concat!("`", stringify!($variant), "`: see [`", stringify!($ty), "`].")]
                $variant($crate::extension::payload!($ty $(, $boxed)?)),
            )*
            /// An extension without a typed codec, kept as raw bytes.
            Unknown($crate::extension::Unknown),
        }

        $(
            impl From<$ty> for $enum {
                fn from(v: $ty) -> Self {
                    $enum::$variant($crate::extension::wrap!(v $(, $boxed)?))
                }
            }
            impl $crate::extension::Member<$enum> for $ty {
                fn from_ref(e: &$enum) -> Option<&Self> {
                    match e {
                        $enum::$variant(v) => Some($crate::extension::unwrap_ref!(v $(, $boxed)?)),
                        _ => None,
                    }
                }
            }
        )*

        impl $enum {
            /// Every name `-m`/`-j` knows for a typed extension of this kind.
            pub fn known_names() -> Vec<&'static str> {
                let mut v = Vec::new();
                $(
                    if <$ty as $crate::extension::Extension>::TYPED {
                        v.push(<$ty as $crate::extension::Extension>::NAME);
                        v.extend_from_slice(<$ty as $crate::extension::Extension>::ALIASES);
                    }
                )*
                v
            }

            /// True when `name` is one of [`Self::known_names`].
            pub fn is_known_name(name: &str) -> bool {
                use $crate::extension::Extension;
                $(
                    if <$ty>::TYPED && (name == <$ty>::NAME || <$ty>::ALIASES.contains(&name)) {
                        return true;
                    }
                )*
                false
            }

            /// A fresh value for parsing options, by the name given to `-m`/`-j`.
            pub fn by_name(ctx: &$crate::extension::Ctx, name: &str) -> Option<Self> {
                use $crate::extension::Extension;
                $(
                    if <$ty>::TYPED
                        && <$ty>::FAMILIES.contains(&ctx.family)
                        && (name == <$ty>::NAME || <$ty>::ALIASES.contains(&name))
                    {
                        let v = <$ty>::start(ctx, name);
                        return Some($enum::$variant($crate::extension::wrap!(v $(, $boxed)?)));
                    }
                )*
                None
            }

            /// One valid value of every typed extension that exists in
            /// `family`, each as [`Extension::example`]($crate::extension::Extension::example)
            /// builds it, in registry order: what `tests/extension_values.rs`
            /// commits. Not a stable API.
            #[doc(hidden)]
            pub fn examples(family: $crate::addr::Family) -> Vec<Self> {
                use $crate::extension::Extension;
                let mut v = Vec::new();
                $(
                    if <$ty>::TYPED && <$ty>::FAMILIES.contains(&family) {
                        v.push($enum::$variant($crate::extension::wrap!(<$ty>::example(family) $(, $boxed)?)));
                    }
                )*
                v
            }

            /// Decodes kernel bytes (the data after the header, padding
            /// included). Anything without a codec, that the codec refuses, or
            /// that it would not write back byte for byte is kept as
            /// [`Unknown`]($crate::extension::Unknown): what is read is what is
            /// committed.
            pub fn decode(ctx: &$crate::extension::Ctx, name: &str, revision: u8, data: &[u8]) -> Self {
                use $crate::extension::Extension;
                $(
                    if <$ty>::TYPED && name == <$ty>::NAME && <$ty>::REVISIONS.contains(&revision) {
                        if let Ok(v) = <$ty>::decode(ctx, revision, data) {
                            if $crate::extension::writes_back(data, |out| v.encode(ctx, out)) {
                                return $enum::$variant($crate::extension::wrap!(v $(, $boxed)?));
                            }
                        }
                    }
                )*
                $enum::Unknown($crate::extension::Unknown {
                    name: name.to_string(),
                    revision,
                    data: data.to_vec(),
                })
            }

            /// The family the extension's text is printed for when no rule
            /// says: IPv4, unless the extension exists for IPv6 only.
            pub(crate) fn home_family(&self) -> $crate::addr::Family {
                use $crate::extension::Extension;
                match self {
                    $( $enum::$variant(_) => <$ty>::FAMILIES[0], )*
                    $enum::Unknown(_) => $crate::addr::Family::Ipv4,
                }
            }

            /// The kernel name.
            pub fn name(&self) -> &str {
                use $crate::extension::Extension;
                match self {
                    $( $enum::$variant(_) => <$ty>::NAME, )*
                    $enum::Unknown(u) => &u.name,
                }
            }

            /// The name iptables-save prints.
            pub fn save_name(&self) -> &str {
                use $crate::extension::Extension;
                match self {
                    $( $enum::$variant(v) => v.save_name(), )*
                    $enum::Unknown(u) => &u.name,
                }
            }

            /// The revision of the kernel struct.
            pub fn revision(&self) -> u8 {
                use $crate::extension::Extension;
                match self {
                    $( $enum::$variant(v) => v.revision(), )*
                    $enum::Unknown(u) => u.revision,
                }
            }

            /// The revisions the typed codec reads and writes, lowest first;
            /// empty for [`Unknown`]($crate::extension::Unknown).
            pub fn revisions(&self) -> &'static [u8] {
                use $crate::extension::Extension;
                match self {
                    $( $enum::$variant(_) => <$ty>::REVISIONS, )*
                    $enum::Unknown(_) => &[],
                }
            }

            /// The same value at an older revision, when the codec can write
            /// it so (see [`Extension::downgrade`]($crate::extension::Extension::downgrade)).
            pub fn downgrade(&self, revision: u8) -> Option<Self> {
                use $crate::extension::Extension;
                match self {
                    $( $enum::$variant(v) => v.downgrade(revision).map(<$enum>::from), )*
                    $enum::Unknown(_) => None,
                }
            }

            /// Appends the kernel struct, unpadded.
            pub fn encode(&self, ctx: &$crate::extension::Ctx, out: &mut Vec<u8>) {
                use $crate::extension::Extension;
                match self {
                    $( $enum::$variant(v) => v.encode(ctx, out), )*
                    $enum::Unknown(u) => out.extend_from_slice(&u.data),
                }
            }

            /// Takes one option; `Ok(false)` when it is not this extension's.
            pub(crate) fn parse_option(
                &mut self,
                ctx: &$crate::extension::Ctx,
                option: &str,
                invert: bool,
                args: &mut $crate::extension::Args,
                seen: &mut $crate::xtopt::Seen,
            ) -> $crate::error::Result<bool> {
                use $crate::extension::Extension;
                match self {
                    $( $enum::$variant(v) => v.parse_option(ctx, option, invert, args, seen), )*
                    $enum::Unknown(_) => Ok(false),
                }
            }

            /// Checks the whole value once all options are in.
            pub(crate) fn finish(
                &mut self,
                ctx: &$crate::extension::Ctx,
                seen: $crate::xtopt::Seen,
            ) -> $crate::error::Result<()> {
                use $crate::extension::Extension;
                match self {
                    $( $enum::$variant(v) => v.finish(ctx, seen), )*
                    $enum::Unknown(_) => Ok(()),
                }
            }

            /// Appends the options as iptables-save prints them.
            pub fn save(&self, ctx: &$crate::extension::Ctx, out: &mut String) {
                use $crate::extension::Extension;
                match self {
                    $( $enum::$variant(v) => v.save(ctx, out), )*
                    $enum::Unknown(_) => {}
                }
            }
        }
    };
}
pub(crate) use registry;

/// Every extension value `Default` builds is one iptables takes: its text
/// parses back to the same rule (iptables-restore would load it).
#[cfg(test)]
mod default_values {
    use super::Extension;
    use crate::addr::Family;
    use crate::matches::{self as m, Match};
    use crate::rule::Rule;
    use crate::targets::{self as t, Target, TargetExt};

    fn check(family: Family, rule: Rule, what: &str, bad: &mut Vec<String>) {
        let text = rule.to_string();
        match Rule::parse(family, &text) {
            Ok(back) if back == rule => {}
            Ok(back) => bad.push(format!(
                "{what}: `{text}` reads back as {back:?}, was {rule:?}"
            )),
            Err(e) => bad.push(format!("{what}: `{text}` is refused: {e}")),
        }
    }

    macro_rules! defaults {
        (matches: $($mt:ty),* ; targets: $($tt:ty),* $(;)?) => {{
            let mut bad = Vec::new();
            $(
                let family = <$mt as Extension>::FAMILIES[0];
                let rule = Rule::new(family).with_match(Match::from(<$mt>::default()));
                check(family, rule, stringify!($mt), &mut bad);
            )*
            $(
                let family = <$tt as Extension>::FAMILIES[0];
                let rule = Rule::new(family)
                    .with_target(Target::Ext(TargetExt::from(<$tt>::default())));
                check(family, rule, stringify!($tt), &mut bad);
            )*
            bad
        }};
    }

    #[test]
    fn every_default_reads_back() {
        // Not listed, and why:
        // - no `Default` at all where iptables refuses the match without an
        //   option (addrtype, conntrack, devgroup, ecn, iprange, ipv6header,
        //   ipvs, owner, u32): they are built with their constructors;
        // - connlimit, ipcomp and policy keep a `Default` whose text iptables
        //   takes but reads back as another value that means the same
        //   (connlimit's IPv4 mask is 4 bytes of ones, not 16; ipcomp's unset
        //   SPI prints as `--ipcompspi 0`; policy's `--pol ipsec` without
        //   element options is one empty element): iptables itself reads its
        //   own text so.
        let bad = defaults!(
            matches: m::ah::Ah, m::connbytes::Connbytes, m::connlabel::Connlabel,
                m::connmark::Connmark, m::cpu::Cpu, m::dccp::Dccp, m::esp::Esp,
                m::eui64::Eui64, m::frag::Frag, m::helper::Helper, m::limit::Limit, m::mh::Mh,
                m::quota::Quota, m::rpfilter::Rpfilter, m::rt::Rt, m::sctp::Sctp,
                m::socket::Socket, m::srh::Srh, m::statistic::Statistic, m::tcp::Tcp,
                m::time::Time;
            targets: t::audit::Audit, t::checksum::Checksum, t::classify::Classify,
                t::clusterip::Clusterip, t::connmark::ConnmarkTarget,
                t::connsecmark::Connsecmark, t::ct::Ct, t::dscp::DscpTarget, t::log::Log,
                t::nflog::Nflog, t::nfqueue::Nfqueue, t::reject::Reject,
                t::synproxy::Synproxy, t::tcpmss::TcpmssTarget, t::tcpoptstrip::Tcpoptstrip,
                t::tos::TosTarget, t::trace::Trace;
        );
        assert!(
            bad.is_empty(),
            "{} defaults are not what iptables takes:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }
}
