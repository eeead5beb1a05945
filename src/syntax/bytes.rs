//! Restore input that is not UTF-8. iptables-restore reads bytes, and a
//! comment may hold any of them (`-m comment --comment "caf\xe9"`); iptkit
//! reads such a line as text in which every byte that is not part of a
//! UTF-8 character stands as one of 256 private characters, U+10FF00 +
//! byte. Only a value read with [`Args::value_bytes`] turns them back into
//! bytes; every other value refuses them. A character of that range
//! written as UTF-8 in such a line stands as its four bytes, so that every
//! line reads back to the bytes it was.
//!
//! [`Args::value_bytes`]: crate::extension::Args::value_bytes

use std::borrow::Cow;

/// The character standing for byte 0.
const FIRST: u32 = 0x10_FF00;

fn stands_for(c: char) -> Option<u8> {
    u8::try_from(u32::from(c).checked_sub(FIRST)?).ok()
}

fn push_byte(out: &mut String, b: u8) {
    // FIRST + 255 is U+10FFFF, the last char.
    out.extend(char::from_u32(FIRST + u32::from(b)));
}

/// `line` as text, each byte that is not part of a UTF-8 character (and
/// each byte of a character that stands for a byte) as the character
/// standing for it.
pub(crate) fn escape(line: &[u8]) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    for chunk in line.utf8_chunks() {
        for c in chunk.valid().chars() {
            if stands_for(c).is_some() {
                let mut buf = [0; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .for_each(|b| push_byte(&mut out, b));
            } else {
                out.push(c);
            }
        }
        chunk.invalid().iter().for_each(|&b| push_byte(&mut out, b));
    }
    out
}

/// True when `s` holds a character standing for a byte.
pub(crate) fn has_bytes(s: &str) -> bool {
    s.chars().any(|c| stands_for(c).is_some())
}

/// The bytes `s` stands for, read back from [`escape`]'s text.
pub(crate) fn unescape(s: &str) -> Cow<'_, [u8]> {
    if !has_bytes(s) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match stands_for(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_reads_back_to_its_bytes() {
        let lines: [&[u8]; 6] = [
            b"plain",
            b"caf\xe9 \xff\xfe x",
            "caf\u{e9}".as_bytes(),
            "\u{10ff41}\u{10ffff}".as_bytes(),
            b"\xf4\x8f\xbd\x81 \xf4",
            b"",
        ];
        for line in lines {
            let text = escape(line);
            assert_eq!(&*unescape(&text), line, "{text:?}");
        }
        assert!(!has_bytes(&escape(b"caf\xc3\xa9")));
        assert!(has_bytes(&escape(b"caf\xe9")));
        assert!(has_bytes(&escape("\u{10ff41}".as_bytes())));
    }

    #[test]
    fn every_short_byte_string_reads_back() {
        let alphabet = [b'a', 0xc3, 0xa9, 0xf4, 0x8f, 0xbf, 0xff, b'"'];
        let mut line = Vec::new();
        for n in 0..=5u32 {
            for mut k in 0..alphabet.len().pow(n) {
                line.clear();
                for _ in 0..n {
                    line.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                assert_eq!(&*unescape(&escape(&line)), &line[..]);
            }
        }
    }
}
