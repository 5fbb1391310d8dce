//! Live reachability checks of the API and token hosts (the wizard's "Remote sites" step):
//! DNS, then TCP + TLS, then one HTTP request. Any HTTP answer (even 401/404/405) proves the
//! host is reachable; only a failure to resolve, connect, shake hands or get an answer fails.

use std::time::Duration;

use url::Url;

/// The result of each stage; a later stage is `Skipped` when an earlier one failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Ok(String),
    Failed(String),
    Skipped,
}

impl Check {
    pub fn is_ok(&self) -> bool {
        matches!(self, Check::Ok(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeReport {
    pub url: String,
    /// Name resolution (the addresses found).
    pub dns: Check,
    /// TCP connect, and the TLS handshake for https.
    pub connect: Check,
    /// An HTTP answer (its status).
    pub http: Check,
}

impl ProbeReport {
    pub fn ok(&self) -> bool {
        self.dns.is_ok() && self.connect.is_ok() && self.http.is_ok()
    }
    /// Why the host is not reachable, or `None` when it is.
    pub fn reason(&self) -> Option<String> {
        [
            ("DNS", &self.dns),
            ("connection", &self.connect),
            ("HTTP", &self.http),
        ]
        .into_iter()
        .find_map(|(stage, c)| match c {
            Check::Failed(why) => Some(format!("{stage} failed: {why}")),
            _ => None,
        })
    }
}

/// Checks `url` (10 s per stage at most).
pub async fn probe(url: &str) -> ProbeReport {
    let mut report = ProbeReport {
        url: url.to_string(),
        dns: Check::Skipped,
        connect: Check::Skipped,
        http: Check::Skipped,
    };
    let parsed = match Url::parse(url.trim()) {
        Ok(u) if u.host_str().is_some() && matches!(u.scheme(), "http" | "https") => u,
        Ok(_) | Err(_) => {
            report.dns = Check::Failed(format!("{url:?} is not an http(s) URL with a host"));
            return report;
        }
    };
    let host = parsed
        .host_str()
        .unwrap_or("")
        .trim_matches(['[', ']'])
        .to_string();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let limit = Duration::from_secs(10);
    let addrs =
        match tokio::time::timeout(limit, tokio::net::lookup_host((host.as_str(), port))).await {
            Ok(Ok(a)) => a.collect::<Vec<_>>(),
            Ok(Err(e)) => {
                report.dns = Check::Failed(format!("cannot resolve {host}: {e}"));
                return report;
            }
            Err(_) => {
                report.dns = Check::Failed(format!("resolving {host} timed out"));
                return report;
            }
        };
    let Some(first) = addrs.first().copied() else {
        report.dns = Check::Failed(format!("{host} has no address"));
        return report;
    };
    report.dns = Check::Ok(
        addrs
            .iter()
            .map(|a| a.ip().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    match tokio::time::timeout(limit, tokio::net::TcpStream::connect(first)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            report.connect = Check::Failed(format!("cannot connect to {first}: {e}"));
            return report;
        }
        Err(_) => {
            report.connect = Check::Failed(format!("connecting to {first} timed out"));
            return report;
        }
    }
    // The HTTP request performs the TLS handshake for https; a TLS failure shows up as a
    // connect-stage error there.
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(limit)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            report.connect = Check::Failed(format!("cannot build an HTTP client: {e}"));
            return report;
        }
    };
    match client.get(parsed.clone()).send().await {
        Ok(resp) => {
            report.connect = Check::Ok(if parsed.scheme() == "https" {
                format!("TCP + TLS to {first}")
            } else {
                format!("TCP to {first}")
            });
            report.http = Check::Ok(format!("HTTP {}", resp.status().as_u16()));
        }
        Err(e) if e.is_connect() => {
            report.connect = Check::Failed(super::token_endpoint::transport_message(&e));
        }
        Err(e) => {
            report.connect = Check::Ok(format!("TCP to {first}"));
            report.http = Check::Failed(super::token_endpoint::transport_message(&e));
        }
    }
    report
}
