//! TURN over TLS: the certificate a deployment configures, read once at start so a wrong
//! path or a key that doesn't match stops the server with a clear message.

use std::path::Path;
use std::sync::Arc;

use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

use super::TurnError;

pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TurnError> {
    let bad = |what: &str, path: &Path, e: &dyn std::fmt::Display| {
        TurnError::Tls(format!("{what} {}: {e}", path.display()))
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad("cannot read certificate", cert, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad("bad certificate in", cert, &e))?;
    if certs.is_empty() {
        return Err(bad("no certificate in", cert, &"(expected PEM)"));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad("cannot read key", key, &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TurnError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TurnError::Tls(format!("certificate and key do not fit: {e}")))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
