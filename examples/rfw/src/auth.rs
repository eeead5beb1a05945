//! Who may talk to the service: HTTP basic auth, compared in constant time.

use base64::Engine as _;
use ring::digest::{digest, SHA256};

/// The user name of an `Authorization: Basic ...` header whose user and
/// password are the configured ones; `None` otherwise.
pub fn check(header: Option<&[u8]>, user: &str, password: &str) -> Option<String> {
    let value = std::str::from_utf8(header?).ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    let (u, p) = (&decoded[..colon], &decoded[colon + 1..]);
    // Both compared, always: the time taken says nothing about which failed.
    let ok = same(u, user.as_bytes()) & same(p, password.as_bytes());
    ok.then(|| String::from_utf8_lossy(u).into_owned())
}

/// Equality in time that does not depend on where the inputs differ, nor
/// on their lengths: SHA-256 digests (fixed length) compared byte for byte
/// without an early exit.
fn same(a: &[u8], b: &[u8]) -> bool {
    let (da, db) = (digest(&SHA256, a), digest(&SHA256, b));
    let diff = da
        .as_ref()
        .iter()
        .zip(db.as_ref())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(s: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(s)
        )
    }

    #[test]
    fn basic() {
        let ok = header("admin:s3cret:x");
        assert_eq!(
            check(Some(ok.as_bytes()), "admin", "s3cret:x").as_deref(),
            Some("admin")
        );
        for bad in [
            "admin:s3cret",
            "admin:",
            "adm:s3cret:x",
            "admins3cret:x",
            "",
        ] {
            assert_eq!(
                check(Some(header(bad).as_bytes()), "admin", "s3cret:x"),
                None,
                "{bad}"
            );
        }
        assert_eq!(check(None, "admin", "s3cret:x"), None);
        assert_eq!(check(Some(b"Bearer abc"), "admin", "s3cret:x"), None);
        assert_eq!(check(Some(b"Basic !!!"), "admin", "s3cret:x"), None);
    }
}
