//! The simulator's certificates: a CA made at start and a certificate for `localhost`
//! and `127.0.0.1` it signs. Clients trust the CA (its PEM), never an insecure mode.

/// A CA and the server certificate it signed, with the server's key.
#[derive(Debug)]
pub struct Certificates {
    ca_pem: String,
    leaf_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl Certificates {
    /// Make a new CA and a server certificate for `localhost` and `127.0.0.1`.
    pub fn generate() -> Result<Certificates, String> {
        let err = |e: rcgen::Error| e.to_string();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "failback ASR simulator CA");
        let ca_key = rcgen::KeyPair::generate().map_err(err)?;
        let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
        let mut leaf =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .map_err(err)?;
        leaf.distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        let leaf_key = rcgen::KeyPair::generate().map_err(err)?;
        let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).map_err(err)?;
        Ok(Certificates {
            ca_pem: ca_cert.pem(),
            leaf_der: leaf_cert.der().to_vec(),
            key_der: leaf_key.serialize_der(),
        })
    }

    /// The CA's certificate, PEM: what clients trust.
    pub fn ca_pem(&self) -> String {
        self.ca_pem.clone()
    }

    /// The rustls server configuration of the certificate, on the ring provider.
    pub fn server_config(&self) -> Result<rustls::ServerConfig, String> {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(self.leaf_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone())),
            )
            .map_err(|e| e.to_string())?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }
}
