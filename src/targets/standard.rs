//! [`Target`]: what a rule does when it matches.

use super::TargetExt;

/// What a rule does when it matches: a verdict, a jump, or a target extension.
///
/// ```
/// use iptkit::targets::log::Log;
/// use iptkit::{Family, Rule, Target};
/// assert_eq!(Target::verdict("DROP"), Some(Target::Drop));
/// let jump = Rule::new(Family::Ipv4).with_target(Target::Jump("ssh".into()));
/// assert_eq!((jump.to_string().as_str(), jump.target.chain()), ("-j ssh", Some("ssh")));
/// assert_eq!(Target::Goto("ssh".into()).to_string(), "-g ssh");
/// let log: Target = Log::default().into(); // a target extension: Target::Ext
/// assert_eq!((log.name(), log.to_string().as_str()), ("LOG", "-j LOG"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Target {
    /// No `-j`: count the packet and go on with the next rule.
    #[default]
    Continue,
    /// `-j ACCEPT`.
    Accept,
    /// `-j DROP`.
    Drop,
    /// `-j QUEUE`: hand to user space (queue 0).
    Queue,
    /// `-j RETURN`: back to the calling chain (the policy, in a built-in chain).
    Return,
    /// `-j CHAIN`: continue in a user chain, then come back.
    Jump(String),
    /// `-g CHAIN`: continue in a user chain, and do not come back.
    Goto(String),
    /// `-j NAME` for a target extension.
    Ext(TargetExt),
}

impl Target {
    /// A verdict by its iptables name (`ACCEPT`, `DROP`, `QUEUE`, `RETURN`).
    pub fn verdict(name: &str) -> Option<Target> {
        Some(match name {
            "ACCEPT" => Target::Accept,
            "DROP" => Target::Drop,
            "QUEUE" => Target::Queue,
            "RETURN" => Target::Return,
            _ => return None,
        })
    }

    /// The chain this target jumps or goes to, if any.
    pub fn chain(&self) -> Option<&str> {
        match self {
            Target::Jump(c) | Target::Goto(c) => Some(c),
            _ => None,
        }
    }

    /// The name after `-j`/`-g`, or `""` for [`Target::Continue`].
    pub fn name(&self) -> &str {
        match self {
            Target::Continue => "",
            Target::Accept => "ACCEPT",
            Target::Drop => "DROP",
            Target::Queue => "QUEUE",
            Target::Return => "RETURN",
            Target::Jump(c) | Target::Goto(c) => c,
            Target::Ext(e) => e.save_name(),
        }
    }
}

impl From<TargetExt> for Target {
    fn from(t: TargetExt) -> Target {
        Target::Ext(t)
    }
}

impl<T: crate::extension::Member<TargetExt> + Into<TargetExt>> From<T> for Target {
    fn from(t: T) -> Target {
        Target::Ext(t.into())
    }
}

impl std::fmt::Display for Target {
    /// The target as iptables-save prints it: `-j ACCEPT`, `-g CHAIN`,
    /// `-j REJECT --reject-with icmp-port-unreachable`; empty for
    /// [`Target::Continue`]. Options that depend on the rule are printed as
    /// [`Match`](crate::Match)'s `Display` prints them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let family = match self {
            Target::Ext(t) => t.home_family(),
            _ => crate::Family::Ipv4,
        };
        let mut out = String::new();
        crate::syntax::write_target(&mut out, self, &crate::extension::Ctx::new(family));
        f.write_str(out.trim_start())
    }
}

impl std::fmt::Display for TargetExt {
    /// `-j NAME OPTIONS`, as [`Target`]'s `Display` prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        let ctx = crate::extension::Ctx::new(self.home_family());
        crate::syntax::write_target_ext(&mut out, self, &ctx);
        f.write_str(out.trim_start())
    }
}
