//! Reachability of a Constant Contact host (SPEC §4 step 4, "Remote sites"): name resolution,
//! a TCP + TLS connection, and an HTTP answer, each reported with a reason a person can act on.
//! Any HTTP status counts as reachable (an API answers 401 without a token); what fails is a
//! name that does not resolve, a connection refused or timed out, or a certificate problem.
//! No terminal code here: the wizard shows the [`ProbeReport`].

use std::error::Error as _;
use std::time::Duration;

const DNS_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The outcome of one phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Ok(String),
    Failed(String),
    /// Not applicable (plain http has no TLS) or not tried because an earlier phase failed.
    Skipped(String),
}

impl Check {
    pub fn is_ok(&self) -> bool {
        matches!(self, Check::Ok(_))
    }
    pub fn text(&self) -> &str {
        match self {
            Check::Ok(s) | Check::Failed(s) | Check::Skipped(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeReport {
    pub url: String,
    pub host: String,
    pub dns: Check,
    pub tls: Check,
    pub http: Check,
}

impl ProbeReport {
    /// Reachable: the name resolved, the connection (and TLS, for https) worked, HTTP answered.
    pub fn ok(&self) -> bool {
        self.dns.is_ok() && !matches!(self.tls, Check::Failed(_)) && self.http.is_ok()
    }

    /// The first failure, in words.
    pub fn reason(&self) -> Option<&str> {
        [&self.dns, &self.tls, &self.http]
            .into_iter()
            .find_map(|c| match c {
                Check::Failed(s) => Some(s.as_str()),
                _ => None,
            })
    }

    fn failed_at_url(url: &str, why: String) -> ProbeReport {
        ProbeReport {
            url: url.to_string(),
            host: String::new(),
            dns: Check::Failed(why),
            tls: Check::Skipped("not tried".into()),
            http: Check::Skipped("not tried".into()),
        }
    }
}

/// Checks one URL: DNS, then TCP (+TLS for https), then an HTTP request without following
/// redirects. Never panics; every failure is a [`Check::Failed`] with the reason.
pub async fn probe(url: &str) -> ProbeReport {
    let parsed = match url::Url::parse(url) {
        Ok(u) => u,
        Err(e) => return ProbeReport::failed_at_url(url, format!("`{url}` is not a URL: {e}")),
    };
    let Some(host) = parsed.host_str().map(str::to_string) else {
        return ProbeReport::failed_at_url(url, format!("`{url}` has no host name"));
    };
    let port = parsed.port_or_known_default().unwrap_or(443);
    let https = parsed.scheme() == "https";
    let mut report = ProbeReport {
        url: url.to_string(),
        host: host.clone(),
        dns: Check::Skipped("not tried".into()),
        tls: Check::Skipped("not tried".into()),
        http: Check::Skipped("not tried".into()),
    };

    // 1. DNS.
    let lookup_host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let addr = match tokio::time::timeout(
        DNS_TIMEOUT,
        tokio::net::lookup_host((lookup_host.as_str(), port)),
    )
    .await
    {
        Err(_) => {
            report.dns = Check::Failed(format!(
                "looking up {host} took longer than {}s: check the network or DNS settings",
                DNS_TIMEOUT.as_secs()
            ));
            return report;
        }
        Ok(Err(e)) => {
            report.dns = Check::Failed(format!(
                "{host} does not resolve ({e}): check the host name and the network"
            ));
            return report;
        }
        Ok(Ok(mut addrs)) => match addrs.next() {
            Some(a) => a,
            None => {
                report.dns = Check::Failed(format!("{host} resolves to no address"));
                return report;
            }
        },
    };
    report.dns = Check::Ok(addr.ip().to_string());

    // 2. TCP (the TLS handshake itself happens in the HTTP request below).
    match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
        Err(_) => {
            report.tls = Check::Failed(format!(
                "no connection to {addr} within {}s: a firewall or proxy may block it",
                CONNECT_TIMEOUT.as_secs()
            ));
            return report;
        }
        Ok(Err(e)) => {
            report.tls = Check::Failed(format!("cannot connect to {addr}: {e}"));
            return report;
        }
        Ok(Ok(_stream)) => {}
    }

    // 3. TLS + HTTP.
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            report.http = Check::Failed(format!("cannot build an HTTP client: {e}"));
            return report;
        }
    };
    match client.get(parsed.as_str()).send().await {
        Ok(resp) => {
            report.tls = if https {
                Check::Ok("certificate valid".into())
            } else {
                Check::Skipped("plain http (loopback only)".into())
            };
            let status = resp.status();
            report.http = Check::Ok(format!("HTTP {} — the server answers", status.as_u16()));
        }
        Err(e) => {
            let detail = error_chain(&e);
            if e.is_timeout() {
                report.http = Check::Failed(format!(
                    "no HTTP answer within {}s ({detail})",
                    HTTP_TIMEOUT.as_secs()
                ));
                if https {
                    report.tls = Check::Ok("connected".into());
                }
            } else if e.is_connect() && https {
                report.tls = Check::Failed(format!("TLS failed: {detail}"));
            } else {
                if https {
                    report.tls = Check::Ok("connected".into());
                } else {
                    report.tls = Check::Skipped("plain http (loopback only)".into());
                }
                report.http = Check::Failed(format!("no HTTP answer: {detail}"));
            }
        }
    }
    report
}

/// The innermost causes of an error, without the URL (reqwest puts it in the top message).
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        src = s.source();
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listening_http_server_is_reachable() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n")
                    .await;
            }
        });
        let r = probe(&format!("http://127.0.0.1:{}/v3", addr.port())).await;
        assert!(r.ok(), "{r:?}");
        assert!(r.http.text().contains("401"), "{r:?}");
        assert!(matches!(r.tls, Check::Skipped(_)));
    }

    #[tokio::test]
    async fn a_closed_port_fails_with_the_reason() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let r = probe(&format!("http://127.0.0.1:{port}/")).await;
        assert!(!r.ok());
        assert!(r.reason().unwrap().contains("cannot connect"), "{r:?}");
    }

    #[tokio::test]
    async fn a_bad_host_name_fails_at_dns() {
        let r = probe("https://no-such-host.invalid/v3").await;
        assert!(!r.ok());
        assert!(matches!(r.dns, Check::Failed(_)), "{r:?}");
        assert!(r.reason().unwrap().contains("no-such-host.invalid"));
    }
}
