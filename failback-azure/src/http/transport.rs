//! How the HTTP clients are built: time-outs, the user agent, extra root certificates,
//! and which URLs a bearer token or a client secret may be sent to.

use std::time::Duration;

use failback_core::{Error, ErrorKind, Result};
use url::Url;

use super::error::PROVIDER;

/// The default connect time-out.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The default time-out of one request (connect, send, read the whole answer).
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The user agent sent unless set otherwise.
pub(crate) fn default_user_agent() -> String {
    format!("failback/{}", env!("CARGO_PKG_VERSION"))
}

/// The settings of one reqwest client.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub user_agent: String,
    /// Extra root certificates (PEM), for a simulator's self-signed certificate.
    pub root_certificates: Vec<Vec<u8>>,
    /// Ignore the `HTTP(S)_PROXY` variables: a managed identity endpoint (IMDS, App
    /// Service's local one) is reached directly, never through a proxy.
    pub no_proxy: bool,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            connect_timeout: CONNECT_TIMEOUT,
            timeout: REQUEST_TIMEOUT,
            user_agent: default_user_agent(),
            root_certificates: Vec::new(),
            no_proxy: false,
        }
    }
}

impl Transport {
    /// The client. TLS verification stays on; extra roots are added to the built-in ones.
    pub(crate) fn build(&self) -> Result<reqwest::Client> {
        let mut b = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(self.user_agent.clone())
            // A redirect would carry the bearer token elsewhere; ARM does not redirect.
            .redirect(reqwest::redirect::Policy::none());
        if self.no_proxy {
            b = b.no_proxy();
        }
        for pem in &self.root_certificates {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                config_error(format!(
                    "the extra root certificate is not a PEM certificate: {e}"
                ))
            })?;
            if certs.is_empty() {
                return Err(config_error(
                    "the extra root certificate holds no PEM certificate".to_string(),
                ));
            }
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        b.build()
            .map_err(|e| config_error(format!("cannot build the HTTP client: {e}")))
    }
}

/// An error in the client's configuration (permanent).
pub(crate) fn config_error(message: String) -> Error {
    Error::provider(PROVIDER, ErrorKind::InvalidInput, message)
}

/// `text` as a base URL that secrets may be sent to: `https`, or `http` to a loopback
/// address (a simulator on this machine) only.
pub(crate) fn secure_base_url(what: &str, text: &str) -> Result<Url> {
    let url = Url::parse(text.trim())
        .map_err(|e| config_error(format!("{what} `{text}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(config_error(format!(
                "{what} `{text}` is plain http to a host other than this machine: tokens are sent only over https (or http to a loopback simulator)"
            )))
        }
        other => {
            return Err(config_error(format!(
                "{what} `{text}` has the scheme `{other}`: use https"
            )))
        }
    }
    if url.host_str().is_none() {
        return Err(config_error(format!("{what} `{text}` names no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(config_error(format!(
            "{what} `{text}` has a query or a fragment: give the base URL only"
        )));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `base` (without its trailing `/`) followed by `path`.
pub(crate) fn join(base: &Url, path: &str) -> String {
    let b = base.as_str().trim_end_matches('/');
    if path.starts_with('/') {
        format!("{b}{path}")
    } else {
        format!("{b}/{path}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn only_https_or_loopback_http_is_accepted() {
        assert!(secure_base_url("endpoint", "https://management.azure.com").is_ok());
        assert!(secure_base_url("endpoint", "http://127.0.0.1:8443").is_ok());
        assert!(secure_base_url("endpoint", "http://localhost:1").is_ok());
        assert!(secure_base_url("endpoint", "http://[::1]:1").is_ok());
        let e = secure_base_url("endpoint", "http://10.0.0.1").unwrap_err();
        assert!(e.to_string().contains("plain http"), "{e}");
        assert!(secure_base_url("endpoint", "ftp://x").is_err());
        assert!(secure_base_url("endpoint", "https://x/?a=b").is_err());
        assert!(secure_base_url("endpoint", "not a url").is_err());
    }

    #[test]
    fn join_keeps_a_base_path() {
        let b = Url::parse("https://h/arm/").unwrap();
        assert_eq!(join(&b, "/subscriptions"), "https://h/arm/subscriptions");
        assert_eq!(join(&b, "x"), "https://h/arm/x");
    }

    #[test]
    fn a_bad_root_certificate_is_a_configuration_error() {
        let t = Transport {
            root_certificates: vec![b"not a pem".to_vec()],
            ..Transport::default()
        };
        assert!(t.build().is_err());
    }
}
