//! Test helpers of the matches that parse like libxtables.

/// What the tests of the matches using this module share.
#[cfg(test)]
pub(crate) mod tests_support {
    use crate::addr::Family;
    use crate::error::Result;
    use crate::extension::{Args, Ctx, Extension};

    /// Parses the option words of one `-m name` of a rule in `family`, as
    /// the rule parser hands them over, then runs `finish`.
    pub(crate) fn parse_as<T: Extension>(family: Family, name: &str, words: &[&str]) -> Result<T> {
        let ctx = Ctx::new(family);
        let words: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        let mut m = T::new(&ctx, name);
        let mut args = Args::new(&words);
        while let Some(w) = args.next() {
            let (invert, w) = match w {
                "!" => (true, args.next().expect("an option after `!`")),
                w => (false, w),
            };
            let option = w.trim_start_matches('-');
            if !m.parse_option(&ctx, option, invert, &mut args)? {
                return Err(crate::error::Error::UnknownOption(w.to_string()));
            }
        }
        m.finish(&ctx)?;
        Ok(m)
    }

    /// What iptables-save prints for the options of `m` (IPv4).
    pub(crate) fn save_as<T: Extension>(m: &T) -> String {
        let mut s = String::new();
        m.save(&Ctx::new(Family::Ipv4), &mut s);
        s
    }

    /// Encodes `m` as the kernel would hold it.
    pub(crate) fn encode_as<T: Extension>(family: Family, m: &T) -> Vec<u8> {
        let mut out = Vec::new();
        m.encode(&Ctx::new(family), &mut out);
        out
    }
}
