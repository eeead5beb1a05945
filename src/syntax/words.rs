//! Words of a line, quoted the way iptables-restore reads and iptables-save writes them.

use crate::error::{Error, Result};

/// Splits a line into words as iptables-restore does (`add_param_to_argv`):
/// blanks separate words; `"..."` quotes a word (which may be empty), inside
/// which `\x` stands for `x`.
pub fn split_words(line: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut have = false; // a word is open (possibly empty, after "")
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                loop {
                    match chars.next() {
                        None => {
                            return Err(Error::Syntax(format!(
                                "unterminated quoted string in `{line}`"
                            )))
                        }
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e) => cur.push(e),
                            None => {
                                return Err(Error::Syntax(format!(
                                    "unterminated quoted string in `{line}`"
                                )))
                            }
                        },
                        Some(o) => cur.push(o),
                    }
                }
                // The closing quote ends the word, as in iptables-restore.
                words.push(std::mem::take(&mut cur));
                have = false;
            }
            ' ' | '\t' | '\n' | '\r' => {
                if have {
                    words.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            c => {
                cur.push(c);
                have = true;
            }
        }
    }
    if have {
        words.push(cur);
    }
    Ok(words)
}

/// Appends ` value`, quoted and escaped when needed, as `xtables_save_string` does.
pub fn save_string(out: &mut String, value: &str) {
    let plain = |c: char| c == '_' || c == '-' || c.is_ascii_alphanumeric();
    out.push(' ');
    if !value.is_empty() && value.chars().all(plain) {
        out.push_str(value);
        return;
    }
    out.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_iptables_restore() {
        assert_eq!(
            split_words("-A  INPUT\t-j ACCEPT").unwrap(),
            ["-A", "INPUT", "-j", "ACCEPT"]
        );
        assert_eq!(
            split_words(r#"-m comment --comment "a \"b\" c" -j X"#).unwrap(),
            ["-m", "comment", "--comment", "a \"b\" c", "-j", "X"]
        );
        assert_eq!(split_words(r#"-c """#).unwrap(), ["-c", ""]);
        assert!(split_words(r#"--comment "open"#).is_err());
    }

    #[test]
    fn quotes_like_xtables_save_string() {
        let mut s = String::new();
        save_string(&mut s, "plain_word-1");
        save_string(&mut s, "two words");
        save_string(&mut s, r#"q"u'o\te"#);
        save_string(&mut s, "");
        assert_eq!(s, r#" plain_word-1 "two words" "q\"u\'o\\te" """#);
    }
}
