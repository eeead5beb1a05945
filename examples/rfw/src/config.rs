//! The configuration file (TOML): what it may say, its defaults, and the
//! checks that refuse a configuration before anything is started.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use iptkit::Backend;
use serde::Deserialize;

/// The longest chain name iptables takes is 28 bytes; the longest suffix
/// rfw adds is `-forward-accept` (15).
pub const MAX_PREFIX: usize = 28 - "-forward-accept".len();

/// The configuration as written in the file. Every key but the TLS and
/// auth ones has a default; an unknown key is an error (a typo must not
/// silently leave a default in place).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default = "default_listen")]
    listen: String,
    #[serde(default = "default_backend")]
    backend: String,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    #[serde(default)]
    plain_http: bool,
    auth_user: Option<String>,
    auth_password: Option<String>,
    #[serde(default = "default_allowed")]
    allowed_clients: Vec<String>,
    #[serde(default)]
    whitelist: Vec<String>,
    #[serde(default = "default_prefix")]
    chain_prefix: String,
    #[serde(default = "default_storage")]
    storage: String,
}

fn default_listen() -> String {
    "127.0.0.1:7390".into()
}
fn default_backend() -> String {
    "auto".into()
}
fn default_allowed() -> Vec<String> {
    vec!["127.0.0.1".into(), "::1".into()]
}
fn default_prefix() -> String {
    "rfw".into()
}
fn default_storage() -> String {
    "rules".into()
}

/// How clients reach the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transport {
    /// HTTPS with this certificate chain and key (PEM files).
    Tls {
        /// `tls_cert`.
        cert: PathBuf,
        /// `tls_key`.
        key: PathBuf,
    },
    /// Plain HTTP (`plain_http = true`, loopback only).
    Plain,
}

/// A checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// `listen`.
    pub listen: SocketAddr,
    /// `backend`.
    pub backend: Backend,
    /// `tls_cert` / `tls_key`, or `plain_http`.
    pub transport: Transport,
    /// `auth_user`.
    pub user: String,
    /// `auth_password`.
    pub password: String,
    /// `allowed_clients`.
    pub allowed_clients: Vec<IpNet>,
    /// `whitelist`.
    pub whitelist: Vec<IpNet>,
    /// `chain_prefix`.
    pub chain_prefix: String,
    /// `storage = "set"`: entries on any interface in kernel sets.
    pub sets: bool,
}

impl Config {
    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Config::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses and checks configuration text.
    pub fn parse(text: &str) -> Result<Config, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let listen: SocketAddr = file
            .listen
            .parse()
            .map_err(|_| format!("listen: {:?} is not an address:port", file.listen))?;
        let backend = match file.backend.as_str() {
            "legacy" => Backend::Legacy,
            "nft" => Backend::Nft,
            "auto" => Backend::Auto,
            other => return Err(format!("backend: {other:?} is not legacy, nft or auto")),
        };
        let transport = if file.plain_http {
            if !listen.ip().is_loopback() {
                return Err(format!(
                    "plain_http is only allowed on a loopback address, and listen is {listen}: \
                     configure tls_cert and tls_key (rfw gen-cert makes a pair) or listen on 127.0.0.1 / ::1"
                ));
            }
            Transport::Plain
        } else {
            match (file.tls_cert, file.tls_key) {
                (Some(cert), Some(key)) => Transport::Tls { cert, key },
                _ => {
                    return Err("tls_cert and tls_key are required (or plain_http = true on a loopback listen address)".into())
                }
            }
        };
        let user = required(file.auth_user, "auth_user")?;
        if user.contains(':') {
            return Err("auth_user: must not contain ':' (HTTP basic auth)".into());
        }
        let password = required(file.auth_password, "auth_password")?;
        let prefix = file.chain_prefix;
        if prefix.is_empty()
            || prefix.len() > MAX_PREFIX
            || !prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(format!(
                "chain_prefix: {prefix:?} must be 1 to {MAX_PREFIX} letters, digits, '-' or '_'"
            ));
        }
        let sets = match file.storage.as_str() {
            "rules" => false,
            "set" => true,
            other => return Err(format!("storage: {other:?} is not rules or set")),
        };
        Ok(Config {
            sets,
            listen,
            backend,
            transport,
            user,
            password,
            allowed_clients: nets("allowed_clients", &file.allowed_clients)?,
            whitelist: nets("whitelist", &file.whitelist)?,
            chain_prefix: prefix,
        })
    }

    /// True when `client` may talk to the service.
    pub fn allows(&self, client: IpAddr) -> bool {
        let client = unmap(client);
        self.allowed_clients.iter().any(|n| n.contains(&client))
    }

    /// The whitelist entry or allowed client that `net` would block, if any:
    /// those can never be dropped. An `allowed_clients` entry for every
    /// address (`0.0.0.0/0`, `::/0`) protects nothing, or nothing could be
    /// blocked at all.
    pub fn protecting(&self, net: &IpNet) -> Option<IpNet> {
        self.protected().into_iter().find(|p| overlaps(p, net))
    }

    /// The networks that can never be blocked: the whitelist and the
    /// allowed clients (but for an "everyone" entry), see [`Config::protecting`].
    pub fn protected(&self) -> Vec<IpNet> {
        self.whitelist
            .iter()
            .chain(self.allowed_clients.iter().filter(|n| n.prefix_len() > 0))
            .copied()
            .collect()
    }
}

fn required(value: Option<String>, key: &str) -> Result<String, String> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(format!("{key} is required")),
    }
}

/// Parses a list of addresses or networks (`192.0.2.7`, `2001:db8::/32`).
fn nets(key: &str, list: &[String]) -> Result<Vec<IpNet>, String> {
    list.iter()
        .map(|s| parse_net(s).map_err(|e| format!("{key}: {e}")))
        .collect()
}

/// An address (a host network) or a network; host bits are cleared.
pub fn parse_net(s: &str) -> Result<IpNet, String> {
    if let Ok(addr) = s.parse::<IpAddr>() {
        return Ok(IpNet::from(unmap(addr)));
    }
    s.parse::<IpNet>()
        .map(|n| n.trunc())
        .map_err(|_| format!("{s:?} is not an IP address or network"))
}

/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.7`, what a dual-stack
/// socket reports) as the IPv4 address it is.
pub fn unmap(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "auth_user = \"u\"\nauth_password = \"p\"\n";

    #[test]
    fn defaults() {
        let c = Config::parse(&format!("{BASE}tls_cert = \"c\"\ntls_key = \"k\"\n")).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:7390");
        assert_eq!(c.backend, Backend::Auto);
        assert_eq!(c.chain_prefix, "rfw");
        assert!(c.allows("127.0.0.1".parse().unwrap()));
        assert!(c.allows("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!c.allows("192.0.2.1".parse().unwrap()));
        assert!(c.whitelist.is_empty());
    }

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(Config::parse(&format!("{BASE}plain_http = true\n")).is_ok());
        let e = Config::parse(&format!(
            "{BASE}plain_http = true\nlisten = \"0.0.0.0:7390\"\n"
        ))
        .unwrap_err();
        assert!(e.contains("loopback"), "{e}");
        let e = Config::parse(BASE).unwrap_err();
        assert!(e.contains("tls_cert"), "{e}");
    }

    #[test]
    fn refusals() {
        let plain = format!("{BASE}plain_http = true\n");
        for (extra, word) in [
            ("backend = \"iptables\"\n", "backend"),
            ("chain_prefix = \"a-very-long-prefix\"\n", "chain_prefix"),
            ("chain_prefix = \"a b\"\n", "chain_prefix"),
            ("whitelist = [\"10.0.0.300\"]\n", "whitelist"),
            ("listen = \"localhost\"\n", "listen"),
            ("colour = \"blue\"\n", "colour"),
            ("storage = \"hash\"\n", "storage"),
        ] {
            let e = Config::parse(&format!("{plain}{extra}")).unwrap_err();
            assert!(e.contains(word), "{extra}: {e}");
        }
        let e = Config::parse("plain_http = true\nauth_user = \"u\"\n").unwrap_err();
        assert!(e.contains("auth_password"), "{e}");
    }

    #[test]
    fn protection() {
        let c = Config::parse(&format!(
            "{BASE}plain_http = true\nwhitelist = [\"192.0.2.0/28\", \"2001:db8::1\"]\nallowed_clients = [\"0.0.0.0/0\", \"198.51.100.7\"]\n"
        ))
        .unwrap();
        let p = |s: &str| c.protecting(&parse_net(s).unwrap());
        assert!(p("192.0.2.3").is_some());
        assert!(p("192.0.0.0/16").is_some());
        assert!(p("192.0.2.16").is_none());
        assert!(p("2001:db8::/64").is_some());
        assert!(p("198.51.100.7").is_some());
        assert!(p("203.0.113.9").is_none());
    }
}
