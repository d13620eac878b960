//! Certificate thumbprints, and the rustls verifier that accepts a server certificate
//! only when its fingerprint is the pinned one (a self-signed ESXi or vCenter).
//!
//! The check runs in the TLS handshake, before any request (and so before `Login`'s
//! password) is written to the connection; the server must still prove it holds the
//! certificate's private key (the handshake signature is verified as usual). The name
//! and validity dates are not checked: the pin names one certificate exactly, as govc's
//! known hosts do.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// The digest of a [`Thumbprint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThumbprintAlgorithm {
    /// SHA-1, 20 bytes: what vSphere shows (`govc about.cert -thumbprint`, the host
    /// client's certificate page).
    Sha1,
    /// SHA-256, 32 bytes.
    Sha256,
}

impl ThumbprintAlgorithm {
    fn digest(self, der: &[u8]) -> Vec<u8> {
        let alg = match self {
            ThumbprintAlgorithm::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            ThumbprintAlgorithm::Sha256 => &ring::digest::SHA256,
        };
        ring::digest::digest(alg, der).as_ref().to_vec()
    }
}

/// A certificate's fingerprint: the SHA-1 or SHA-256 digest of its DER encoding.
///
/// Parsed from hex with or without colons, in either case (`AB:CD:…` or `abcd…`); the
/// length says the algorithm (40 hex digits SHA-1, 64 SHA-256). Shown as upper-case hex
/// pairs separated by colons, as vSphere shows it.
///
/// ```
/// use failback_vsphere::{Thumbprint, ThumbprintAlgorithm};
///
/// let t: Thumbprint = "5d:41:40:2a:bc:4b:2a:76:b9:71:9d:91:10:17:c5:92:00:00:00:01".parse()?;
/// assert_eq!(t.algorithm(), ThumbprintAlgorithm::Sha1);
/// assert!(t.to_string().starts_with("5D:41:40"));
/// assert!("5d41".parse::<Thumbprint>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbprint {
    algorithm: ThumbprintAlgorithm,
    bytes: Vec<u8>,
}

impl Thumbprint {
    /// The fingerprint of a DER certificate.
    pub fn of_der(der: &[u8], algorithm: ThumbprintAlgorithm) -> Thumbprint {
        Thumbprint {
            algorithm,
            bytes: algorithm.digest(der),
        }
    }

    /// The fingerprint of the first certificate of a PEM text.
    pub fn of_pem(pem: &[u8], algorithm: ThumbprintAlgorithm) -> Result<Thumbprint, String> {
        let der = CertificateDer::from_pem_slice(pem)
            .map_err(|e| format!("no PEM certificate could be read: {e}"))?;
        Ok(Thumbprint::of_der(der.as_ref(), algorithm))
    }

    /// The digest used.
    pub fn algorithm(&self) -> ThumbprintAlgorithm {
        self.algorithm
    }

    /// Whether `der` is the certificate this fingerprint names.
    pub fn matches(&self, der: &[u8]) -> bool {
        self.algorithm.digest(der) == self.bytes
    }
}

impl fmt::Display for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.bytes.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Thumbprint({:?} {self})", self.algorithm)
    }
}

impl std::str::FromStr for Thumbprint {
    type Err = String;

    fn from_str(text: &str) -> Result<Thumbprint, String> {
        let hex: String = text
            .trim()
            .chars()
            .filter(|c| *c != ':' && !c.is_whitespace())
            .collect();
        let shown = crate::soap::clip(text.trim(), 80);
        let algorithm = match hex.len() {
            40 => ThumbprintAlgorithm::Sha1,
            64 => ThumbprintAlgorithm::Sha256,
            n => {
                return Err(format!(
                    "the thumbprint `{shown}` has {n} hex digits: expected 40 (SHA-1, as vSphere shows it) or 64 (SHA-256), with or without colons"
                ))
            }
        };
        let mut bytes = Vec::with_capacity(hex.len() / 2);
        for pair in hex.as_bytes().chunks(2) {
            let digits = std::str::from_utf8(pair).ok();
            let byte = digits.and_then(|d| u8::from_str_radix(d, 16).ok());
            match byte {
                Some(b) => bytes.push(b),
                None => {
                    return Err(format!(
                    "the thumbprint `{shown}` is not hexadecimal (expected pairs like `AB:CD:…`)"
                ))
                }
            }
        }
        Ok(Thumbprint { algorithm, bytes })
    }
}

/// The verifier of a pinned certificate (see the module's docs).
#[derive(Debug)]
pub(crate) struct PinnedCertificate {
    pin: Thumbprint,
    provider: Arc<CryptoProvider>,
}

impl PinnedCertificate {
    /// A rustls client configuration that trusts only the certificate `pin` names.
    pub(crate) fn client_config(pin: Thumbprint) -> Result<rustls::ClientConfig, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = PinnedCertificate {
            pin,
            provider: provider.clone(),
        };
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("cannot set up TLS: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        // vSphere's SOAP endpoint speaks HTTP/1.1.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.pin.matches(end_entity.as_ref()) {
            Ok(ServerCertVerified::assertion())
        } else {
            let found = Thumbprint::of_der(end_entity.as_ref(), self.pin.algorithm);
            Err(rustls::Error::General(format!(
                "the server's certificate thumbprint {found} is not the pinned {}",
                self.pin
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn thumbprints_parse_with_or_without_colons() {
        let a: Thumbprint = "AB:cd:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:01:02"
            .parse()
            .unwrap();
        let b: Thumbprint = "abcd00112233445566778899aabbccddeeff0102".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.to_string(),
            "AB:CD:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01:02"
        );
        let c: Thumbprint = "00".repeat(32).parse().unwrap();
        assert_eq!(c.algorithm(), ThumbprintAlgorithm::Sha256);
        let e = "zz".repeat(20).parse::<Thumbprint>().unwrap_err();
        assert!(e.contains("not hexadecimal"), "{e}");
        let e = "ab:cd".parse::<Thumbprint>().unwrap_err();
        assert!(e.contains("4 hex digits"), "{e}");
    }

    #[test]
    fn a_thumbprint_matches_its_certificate_only() {
        let t = Thumbprint::of_der(b"certificate", ThumbprintAlgorithm::Sha256);
        assert!(t.matches(b"certificate"));
        assert!(!t.matches(b"another"));
        // SHA-1 of "abc".
        let t = Thumbprint::of_der(b"abc", ThumbprintAlgorithm::Sha1);
        assert_eq!(
            t.to_string(),
            "A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D"
        );
    }
}
