//! TLS: the server's rustls configuration from PEM files, and the
//! self-signed pair `rfw gen-cert` writes.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// The server configuration for the certificate chain and key at these
/// paths (PEM), on ring, TLS 1.2 and 1.3.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect())
        .map_err(|e| format!("tls_cert {}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("tls_cert {}: no certificate in it", cert.display()));
    }
    let key =
        PrivateKeyDer::from_pem_file(key).map_err(|e| format!("tls_key {}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("tls_cert and tls_key: {e}"))?;
    Ok(Arc::new(config))
}

/// Writes a self-signed certificate for `host` (a DNS name or an IP
/// address) and its key to `out/cert.pem` and `out/key.pem` (the key
/// readable by its owner only).
pub fn gen_cert(host: &str, out: &Path) -> Result<(), String> {
    if !valid_host(host) {
        return Err(format!("--host {host:?}: not an IP address or a DNS name"));
    }
    let pair = rcgen::generate_simple_self_signed(vec![host.to_string()])
        .map_err(|e| format!("making a certificate for {host:?}: {e}"))?;
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let write = |name: &str, text: &str, mode: u32| -> Result<(), String> {
        let path = out.join(name);
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        f.write_all(text.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    write("cert.pem", &pair.cert.pem(), 0o644)?;
    write("key.pem", &pair.signing_key.serialize_pem(), 0o600)
}

/// An IP address, or a DNS name (labels of letters, digits and `-`, the
/// first may be `*`): what a certificate's subject alternative name holds.
fn valid_host(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = host.strip_prefix("*.").unwrap_or(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        for ok in [
            "127.0.0.1",
            "::1",
            "fw1.example.net",
            "localhost",
            "*.example.net",
        ] {
            assert!(valid_host(ok), "{ok}");
        }
        for bad in ["", "bad host", "a..b", "-a.b", "a_b.example", "*", "x/y"] {
            assert!(!valid_host(bad), "{bad}");
        }
    }
}
