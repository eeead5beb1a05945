//! iproute2 name tables (`/etc/iproute2/group`, `rt_realms`, ...) as
//! libxtables reads them (`xtables_lmap_init`).

use super::C_SPACE;

/// Number/name pairs of an iproute2 table (`/etc/iproute2/group`, ...), as
/// `xtables_lmap_init` reads them: `ID NAME` lines, the id decimal or `0x`
/// hex and at most 255, the name up to the next blank; `#` starts a comment
/// line. Lookups take the first match.
pub(crate) fn parse_lmap(text: &str) -> Vec<(u32, String)> {
    let mut map = Vec::new();
    for line in text.lines() {
        let cur = line.trim_start_matches(C_SPACE);
        if cur.is_empty() || cur.starts_with('#') {
            continue;
        }
        let (radix, digits) = match cur.strip_prefix("0x") {
            Some(hex) => (16, hex),
            None => (10, cur),
        };
        let n = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        let Some(id) = u32::from_str_radix(&digits[..n], radix)
            .ok()
            .filter(|&id| id <= 255)
        else {
            continue;
        };
        let rest = &digits[n..];
        if !rest.starts_with(C_SPACE) {
            continue;
        }
        let rest = rest.trim_start_matches(C_SPACE);
        let name = rest.split(C_SPACE).next().unwrap_or("");
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        map.push((id, name.to_string()));
    }
    map
}

/// [`parse_lmap`] of a file; `None` when it cannot be read.
pub(crate) fn read_lmap(path: &str) -> Option<Vec<(u32, String)>> {
    std::fs::read_to_string(path).ok().map(|t| parse_lmap(&t))
}

/// The id of `name` in an iproute2 table (`xtables_lmap_name2id`).
pub(crate) fn lmap_id(map: &[(u32, String)], name: &str) -> Option<u32> {
    map.iter().find(|(_, n)| n == name).map(|(id, _)| *id)
}

/// The name of `id` in an iproute2 table (`xtables_lmap_id2name`).
pub(crate) fn lmap_name(map: &[(u32, String)], id: u32) -> Option<String> {
    map.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iproute2_tables() {
        let map = parse_lmap(
            "# comment\n0\tdefault\n  0x10 ten # x\n256 big\n5\n6x six\n7 #c\n1 dup\n1 dup2\n",
        );
        assert_eq!(
            map,
            vec![
                (0, "default".to_string()),
                (16, "ten".to_string()),
                (1, "dup".to_string()),
                (1, "dup2".to_string())
            ]
        );
    }
}
