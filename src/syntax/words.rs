//! Words of a line, quoted the way iptables-restore reads and iptables-save writes them.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// Splits a line into words as iptables-restore does (`add_param_to_argv`):
/// blanks separate words; `"..."` quotes a word (which may be empty), inside
/// which `\x` stands for `x`. A word of [`MAX_WORD`] bytes or more is refused
/// as iptables-restore refuses it ("Parameter too long!"), never cut.
pub fn split_words(line: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    split_words_into(line, &mut words)?;
    Ok(words.into_iter().map(Cow::into_owned).collect())
}

/// The longest word iptables-restore reads, in bytes (unquoted, unescaped):
/// its `struct xt_param_buf` holds 1024 bytes with the NUL.
pub const MAX_WORD: usize = 1023;

fn too_long(word: &str) -> Result<()> {
    if word.len() > MAX_WORD {
        return Err(Error::Syntax(format!(
            "Parameter too long! (a word of {} bytes; iptables-restore reads at most {MAX_WORD})",
            word.len()
        )));
    }
    Ok(())
}

/// [`split_words`] into `words` (cleared first), each word a slice of `line`
/// where it can be: only a word with a backslash escape, or with text before
/// its opening quote, is copied. Restore input is read through one `words`
/// per table, so a line costs no allocation for its words.
pub(crate) fn split_words_into<'a>(line: &'a str, words: &mut Vec<Cow<'a, str>>) -> Result<()> {
    let unterminated = || Error::Syntax(format!("unterminated quoted string in `{line}`"));
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    words.clear();
    // Every byte looked at is ASCII, which never occurs inside a multi-byte
    // UTF-8 character, so every index sliced at is a character boundary.
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if blank(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !blank(b[i]) && b[i] != b'"' {
            i += 1;
        }
        if i == b.len() || b[i] != b'"' {
            too_long(&line[start..i])?;
            words.push(Cow::Borrowed(&line[start..i]));
            continue;
        }
        // A quote: the word runs to the closing quote, which ends it.
        let before = &line[start..i];
        i += 1;
        let open = i;
        let mut escaped = false;
        loop {
            match b.get(i) {
                None => return Err(unterminated()),
                Some(b'"') => break,
                Some(b'\\') if i + 1 == b.len() => return Err(unterminated()),
                Some(b'\\') => {
                    escaped = true;
                    i += 2;
                }
                Some(_) => i += 1,
            }
        }
        let quoted = &line[open..i];
        i += 1;
        let word = if before.is_empty() && !escaped {
            Cow::Borrowed(quoted)
        } else {
            let mut w = String::with_capacity(before.len() + quoted.len());
            w.push_str(before);
            let mut chars = quoted.chars();
            while let Some(c) = chars.next() {
                w.push(if c == '\\' {
                    chars.next().unwrap_or(c)
                } else {
                    c
                });
            }
            Cow::Owned(w)
        };
        too_long(&word)?;
        words.push(word);
    }
    Ok(())
}

/// Appends ` value`, quoted and escaped when needed, as `xtables_save_string` does.
pub fn save_string(out: &mut String, value: &str) {
    out.push(' ');
    if is_plain(value.as_bytes()) {
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

/// [`save_string`] of bytes that need not be UTF-8 (a comment), byte for byte.
pub(crate) fn save_string_bytes(out: &mut Vec<u8>, value: &[u8]) {
    out.push(b' ');
    if is_plain(value) {
        out.extend_from_slice(value);
        return;
    }
    out.push(b'"');
    for &b in value {
        if matches!(b, b'"' | b'\\' | b'\'') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// True when `xtables_save_string` prints the value without quotes: not
/// empty, and only ASCII letters, digits, `_` and `-`.
fn is_plain(value: &[u8]) -> bool {
    !value.is_empty()
        && value
            .iter()
            .all(|&b| b == b'_' || b == b'-' || b.is_ascii_alphanumeric())
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
        assert!(split_words(r#"-c "a\"#).is_err());
        assert_eq!(
            split_words(r#"a"b c"d "" "x\\" é"ü\é""#).unwrap(),
            ["ab c", "d", "", "x\\", "éüé"]
        );
    }

    /// The splitter as first written, a char at a time: the reference.
    fn split_by_chars(line: &str) -> Option<Vec<String>> {
        let mut words = Vec::new();
        let mut cur = String::new();
        let mut have = false;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    loop {
                        match chars.next()? {
                            '"' => break,
                            '\\' => cur.push(chars.next()?),
                            o => cur.push(o),
                        }
                    }
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
        Some(words)
    }

    #[test]
    fn splits_every_short_line_as_the_reference_does() {
        let alphabet = ['a', ' ', '"', '\\', 'é', '\t', '-'];
        let mut line = String::new();
        for n in 0..=6u32 {
            for mut k in 0..alphabet.len().pow(n) {
                line.clear();
                for _ in 0..n {
                    line.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                assert_eq!(split_words(&line).ok(), split_by_chars(&line), "{line:?}");
            }
        }
    }

    #[test]
    fn refuses_words_iptables_restore_cannot_hold() {
        let word = |n: usize| "a".repeat(n);
        assert_eq!(split_words(&word(1023)).unwrap(), [word(1023)]);
        assert_eq!(
            split_words(&format!("\"{}\"", word(1023))).unwrap(),
            [word(1023)]
        );
        // Quotes and escapes are not part of the word.
        assert!(split_words(&format!("\"{}\\\"\"", word(1022))).is_ok());
        for line in [
            word(1024),
            format!("-m comment --comment \"{}\"", word(1 << 20)),
        ] {
            let e = split_words(&line).unwrap_err().to_string();
            assert!(e.contains("Parameter too long!"), "{e}");
        }
    }

    #[test]
    fn words_borrow_from_the_line_unless_unescaped() {
        let mut words = Vec::new();
        split_words_into(r#"-A "x y" a"b" "c\"d""#, &mut words).unwrap();
        let borrowed: Vec<bool> = words
            .iter()
            .map(|w| matches!(w, Cow::Borrowed(_)))
            .collect();
        assert_eq!(borrowed, [true, true, false, false]);
        assert_eq!(words, ["-A", "x y", "ab", "c\"d"]);
    }

    #[test]
    fn quotes_like_xtables_save_string() {
        let mut s = String::new();
        save_string(&mut s, "plain_word-1");
        save_string(&mut s, "two words");
        save_string(&mut s, r#"q"u'o\te"#);
        save_string(&mut s, "");
        assert_eq!(s, r#" plain_word-1 "two words" "q\"u\'o\\te" """#);
        let mut b = Vec::new();
        for v in ["plain_word-1", "two words", r#"q"u'o\te"#, "", "é"] {
            save_string_bytes(&mut b, v.as_bytes());
        }
        save_string_bytes(&mut b, b"caf\xe9");
        assert_eq!(b, [(s + " \"é\"").as_bytes(), b" \"caf\xe9\""].concat());
    }
}
