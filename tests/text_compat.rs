//! Text the real tools take, through iptkit, on both backends (issue 8):
//! abbreviated long options, multiport's `--dport`, IPv4-compatible IPv6
//! addresses, a comment too long for iptables-restore, and comments that
//! are not UTF-8. Each input goes through the real iptables-restore and
//! through iptkit in turn; the real `*-save` must print the same bytes
//! after both, and iptkit must read back what the real tool wrote. Each
//! test runs in its own private network namespace.
#![cfg(feature = "nft")]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::isolate;
use iptkit::extension::Dialect;
use iptkit::syntax::restore::{parse_bytes, save_table_bytes_as, RestoreOptions};
use iptkit::{Backend, Family, Handle, Options};

const BACKENDS: [Backend; 2] = [Backend::Legacy, Backend::Nft];

fn tool(backend: Backend, family: Family, what: &str) -> String {
    let ip = match family {
        Family::Ipv4 => "iptables",
        Family::Ipv6 => "ip6tables",
    };
    let kind = match backend {
        Backend::Nft => "nft",
        _ => "legacy",
    };
    format!("{ip}-{kind}{what}")
}

fn dialect(backend: Backend) -> Dialect {
    match backend {
        Backend::Nft => Dialect::Nft,
        _ => Dialect::Legacy,
    }
}

/// The real `*-save -t TABLE`, byte for byte, without its comment lines.
fn real_save(backend: Backend, family: Family, table: &str) -> Vec<u8> {
    let name = tool(backend, family, "-save");
    let out = Command::new(&name)
        .args(["-t", table])
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed: {e}"));
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut saved = Vec::new();
    for line in out.stdout.split_inclusive(|&b| b == b'\n') {
        if !line.starts_with(b"#") {
            saved.extend_from_slice(line);
        }
    }
    saved
}

/// Feeds `input` to the real `*-restore -w`: Ok, or its error output.
fn real_restore(backend: Backend, family: Family, input: &[u8]) -> Result<(), String> {
    let name = tool(backend, family, "-restore");
    let mut child = Command::new(&name)
        .arg("-w")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{name} is needed: {e}"));
    // The tool may stop reading at the first error.
    let _ = child.stdin.take().unwrap().write_all(input);
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn open(backend: Backend, family: Family, table: &str) -> Handle {
    let options = Options::default().backend(backend);
    Handle::open_with(family, table, options)
        .unwrap_or_else(|e| panic!("opening {table} ({backend:?}): {e}"))
}

/// Applies `input` through iptkit as iptables-restore would.
fn iptkit_restore(backend: Backend, family: Family, input: &[u8]) -> iptkit::Result<()> {
    let opts = RestoreOptions::default();
    for block in parse_bytes(family, input)? {
        let mut h = open(backend, family, &block.name);
        h.restore(block, &opts)?;
        h.commit()?;
    }
    Ok(())
}

/// The table as iptkit reads it from the kernel, printed as the backend's
/// save tool prints it: by `Handle::save`, which prints each rule as it
/// decodes it, and the same as the table read and printed whole.
fn iptkit_save(backend: Backend, family: Family, table: &str) -> Vec<u8> {
    let saved = open(backend, family, table).save(false).unwrap();
    let mut h = open(backend, family, table);
    let whole = save_table_bytes_as(h.table().unwrap(), false, dialect(backend));
    assert_eq!(
        saved.escape_ascii().to_string(),
        whole.escape_ascii().to_string(),
        "{backend:?}: Handle::save and the table read print the same"
    );
    saved
}

/// `input` (one table) through the real tool, then through iptkit: the real
/// save prints the same bytes after both, iptkit reads back what the real
/// tool wrote, and the rules are `want`.
fn agree(family: Family, table: &str, input: &[u8], want: &[&[u8]]) {
    for backend in BACKENDS {
        let shown = input.escape_ascii().to_string();
        real_restore(backend, family, input)
            .unwrap_or_else(|e| panic!("{backend:?} real restore of {shown}: {e}"));
        let by_real = real_save(backend, family, table);
        assert_eq!(
            iptkit_save(backend, family, table)
                .escape_ascii()
                .to_string(),
            by_real.escape_ascii().to_string(),
            "{backend:?}: iptkit reads what the real tool wrote from {shown}"
        );
        real_restore(backend, family, format!("*{table}\nCOMMIT\n").as_bytes()).unwrap();
        iptkit_restore(backend, family, input)
            .unwrap_or_else(|e| panic!("{backend:?} iptkit restore of {shown}: {e}"));
        let by_iptkit = real_save(backend, family, table);
        assert_eq!(
            by_iptkit.escape_ascii().to_string(),
            by_real.escape_ascii().to_string(),
            "{backend:?}: the real save after iptkit wrote {shown}"
        );
        let rules: Vec<&[u8]> = by_real
            .split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"-A "))
            .collect();
        assert_eq!(
            rules
                .iter()
                .map(|l| l.escape_ascii().to_string())
                .collect::<Vec<_>>(),
            want.iter()
                .map(|l| l.escape_ascii().to_string())
                .collect::<Vec<_>>(),
            "{backend:?}"
        );
    }
}

/// `input` is refused by the real tool with `real_error` and by iptkit with
/// `iptkit_error` at `line`, and the table is left as it was.
fn refused(
    family: Family,
    table: &str,
    input: &[u8],
    real_error: &str,
    iptkit_error: &str,
    line: usize,
) {
    for backend in BACKENDS {
        let before = real_save(backend, family, table);
        let e = real_restore(backend, family, input).expect_err("the real tool refuses it");
        assert!(e.contains(real_error), "{backend:?}: {e}");
        assert!(e.contains(&format!("line: {line}")), "{backend:?}: {e}");
        let e = iptkit_restore(backend, family, input).expect_err("iptkit refuses it");
        assert!(
            matches!(e, iptkit::Error::Line { line: l, .. } if l == line),
            "{backend:?}: {e}"
        );
        assert!(e.to_string().contains(iptkit_error), "{backend:?}: {e}");
        assert_eq!(real_save(backend, family, table), before, "{backend:?}");
    }
}

#[test]
fn abbreviated_long_options_land_as_iptables_writes_them() {
    isolate();
    agree(
        Family::Ipv4,
        "nat",
        b"*nat\n-A OUTPUT -p tcp -j REDIRECT --to-port 15053\n\
          -A POSTROUTING -j SNAT --to 1.1.1.1\n\
          -A PREROUTING -p tcp -j DNAT --to 2.2.2.2:80\n\
          -A PREROUTING -p tcp --dpor=22 -j DNAT --to=1.2.3.4\nCOMMIT\n",
        &[
            b"-A PREROUTING -p tcp -j DNAT --to-destination 2.2.2.2:80",
            b"-A PREROUTING -p tcp -m tcp --dport 22 -j DNAT --to-destination 1.2.3.4",
            b"-A OUTPUT -p tcp -j REDIRECT --to-ports 15053",
            b"-A POSTROUTING -j SNAT --to-source 1.1.1.1",
        ],
    );
    agree(
        Family::Ipv4,
        "filter",
        b"*filter\n--app INPUT --proto tcp --in-int eth0 -m state --sta NEW -j ACCEPT\n\
          -A INPUT -j LOG --log-pref \"x \"\n\
          -A INPUT -m comment --comm hi\n\
          -A INPUT -p tcp -j REJECT --reject tcp-reset\n\
          -A INPUT -p tcp --dpor 22\n\
          -A INPUT -p tcp -m multiport --dport 80,443\nCOMMIT\n",
        &[
            b"-A INPUT -i eth0 -p tcp -m state --state NEW -j ACCEPT",
            b"-A INPUT -j LOG --log-prefix \"x \"",
            b"-A INPUT -m comment --comment hi",
            b"-A INPUT -p tcp -j REJECT --reject-with tcp-reset",
            b"-A INPUT -p tcp -m tcp --dport 22",
            b"-A INPUT -p tcp -m multiport --dports 80,443",
        ],
    );
    agree(
        Family::Ipv4,
        "mangle",
        b"*mangle\n-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp\n\
          -A INPUT -j MARK --set-m 1\nCOMMIT\n",
        &[
            b"-A INPUT -j MARK --set-xmark 0x1/0xffffffff",
            b"-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
        ],
    );
}

#[test]
fn ambiguous_and_unknown_prefixes_are_refused() {
    isolate();
    for (rule, option) in [
        ("-p tcp --s 1.2.3.4", "--s"),
        ("-m conntrack --ctst NEW", "--ctst"),
        ("-j ACCEPT --to 1.1.1.1", "--to"),
    ] {
        let input = format!("*filter\n-A INPUT -j ACCEPT\n-A INPUT {rule}\nCOMMIT\n");
        let real = format!("unknown option \"{option}\"");
        refused(Family::Ipv4, "filter", input.as_bytes(), &real, option, 3);
    }
    // An exact name wins: once tcp is loaded, `--dport` is its own, not
    // multiport's `--dports`, and multiport is left with no ports.
    refused(
        Family::Ipv6,
        "filter",
        b"*filter\n-A INPUT -p tcp --sp 1 -m multiport --dport 2\nCOMMIT\n",
        "multiport expection an option",
        "multiport expects an option",
        2,
    );
}

#[test]
fn ipv4_compatible_ipv6_addresses_print_as_inet_ntop() {
    isolate();
    agree(
        Family::Ipv6,
        "filter",
        b"*filter\n-A INPUT -s ::7f00:35 -d ::2\n\
          -A INPUT -m iprange --src-range ::7f00:35-::7f00:36\n\
          -A INPUT -m conntrack --ctorigsrc ::7f00:0/104\nCOMMIT\n",
        &[
            b"-A INPUT -s ::127.0.0.53/128 -d ::2/128",
            b"-A INPUT -m iprange --src-range ::127.0.0.53-::127.0.0.54",
            b"-A INPUT -m conntrack --ctorigsrc ::127.0.0.0/104",
        ],
    );
    agree(
        Family::Ipv6,
        "mangle",
        b"*mangle\n-A PREROUTING -p tcp -j TPROXY --on-ip ::7f00:35 --on-port 1\nCOMMIT\n",
        &[b"-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip ::127.0.0.53 --tproxy-mark 0x0/0x0"],
    );
    agree(
        Family::Ipv6,
        "nat",
        b"*nat\n-A OUTPUT -p tcp -j DNAT --to-destination [::7f00:35]:80\nCOMMIT\n",
        &[b"-A OUTPUT -p tcp -j DNAT --to-destination [::127.0.0.53]:80"],
    );
}

#[test]
fn a_comment_too_long_for_iptables_restore_is_refused() {
    isolate();
    for len in [1 << 20, 1024] {
        let mut input = b"*filter\n-A INPUT -j ACCEPT\n-A INPUT -m comment --comment \"".to_vec();
        input.extend(std::iter::repeat_n(b'a', len));
        input.extend_from_slice(b"\" -j ACCEPT\nCOMMIT\n");
        refused(
            Family::Ipv4,
            "filter",
            &input,
            "Parameter too long!",
            "Parameter too long!",
            3,
        );
    }
    // 1023 bytes are read, and cut to the kernel's 255 as iptables cuts them.
    let a = "a".repeat(1023);
    let input = format!("*filter\n-A INPUT -m comment --comment {a}\nCOMMIT\n");
    let want = format!("-A INPUT -m comment --comment {}", &a[..255]);
    agree(Family::Ipv4, "filter", input.as_bytes(), &[want.as_bytes()]);
}

#[test]
fn comments_that_are_not_utf8_keep_their_bytes() {
    isolate();
    for family in [Family::Ipv4, Family::Ipv6] {
        agree(
            family,
            "filter",
            b"*filter\n-A INPUT -m comment --comment \"caf\xe9 \xff\\\"\" -j ACCEPT\n\
              -A INPUT -m comment --comment \xc3\xa9\xc3 -j DROP\nCOMMIT\n",
            &[
                b"-A INPUT -m comment --comment \"caf\xe9 \xff\\\"\" -j ACCEPT",
                b"-A INPUT -m comment --comment \"\xc3\xa9\xc3\" -j DROP",
            ],
        );
    }
    // What the real tool wrote, iptkit commits back unchanged.
    for backend in BACKENDS {
        let family = Family::Ipv4;
        real_restore(
            backend,
            family,
            b"*filter\n-A INPUT -m comment --comment \"\xfe\xff x\" -j ACCEPT\nCOMMIT\n",
        )
        .unwrap();
        let before = real_save(backend, family, "filter");
        let mut h = open(backend, family, "filter");
        let table = h.table().unwrap().clone();
        let rule = table.chains[0].rules[0].clone();
        h.append("INPUT", rule).unwrap();
        h.commit().unwrap();
        let after = real_save(backend, family, "filter");
        let line = b"-A INPUT -m comment --comment \"\xfe\xff x\" -j ACCEPT\n";
        assert_eq!(
            after.escape_ascii().to_string(),
            [&before[..before.len() - 7], line, b"COMMIT\n"]
                .concat()
                .escape_ascii()
                .to_string(),
            "{backend:?}"
        );
    }
}
