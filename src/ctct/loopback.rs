//! The loopback listener that receives the OAuth redirect (`ctct.redirect_uri`).
//!
//! A deliberately small HTTP/1.1 responder: it reads one request head per connection, answers
//! requests for other paths (favicon, probes) with 404 and ignores them, and hands each request
//! for the redirect path to the login driver, then answers the browser with the page the driver
//! returns — so the page shows the real outcome (authorized, refused, wrong attempt).
//! `localhost` listens on both 127.0.0.1 and ::1.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use url::Url;

/// A callback request and the way to answer its browser.
pub(crate) struct Callback {
    /// `code`, `state`, `error`, `error_description` from the query.
    pub params: Vec<(String, String)>,
    pub reply: oneshot::Sender<Page>,
}

/// An HTML answer.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub status: u16,
    pub title: String,
    pub body: String,
}

/// Where the redirect must arrive.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub addrs: Vec<SocketAddr>,
    pub path: String,
    pub display: String,
}

/// The addresses to bind for a redirect URI, or why there can be no loopback listener.
pub(crate) fn target(redirect_uri: &str) -> Result<Target, String> {
    let url = Url::parse(redirect_uri)
        .map_err(|e| format!("ctct.redirect_uri {redirect_uri:?} is not a URL: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!(
            "ctct.redirect_uri {redirect_uri} is not plain http, so ctctsync cannot receive it on this machine"
        ));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs = match url.host() {
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => vec![
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ],
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => {
            vec![SocketAddr::new(IpAddr::V4(ip), port)]
        }
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => {
            vec![SocketAddr::new(IpAddr::V6(ip), port)]
        }
        _ => {
            return Err(format!(
                "ctct.redirect_uri {redirect_uri} is not a loopback address (localhost, 127.0.0.1 or [::1])"
            ));
        }
    };
    Ok(Target {
        addrs,
        path: url.path().to_string(),
        display: format!("{}:{port}", url.host_str().unwrap_or("localhost")),
    })
}

/// Why binding failed.
#[derive(Debug)]
pub(crate) enum BindError {
    Busy(SocketAddr),
    Other(SocketAddr, io::Error),
}

/// Binds every address of the target (an IPv6 loopback that this machine lacks is skipped).
pub(crate) async fn bind(target: &Target) -> Result<Vec<TcpListener>, BindError> {
    let mut out = Vec::new();
    for addr in &target.addrs {
        // A listener from a just-cancelled attempt may take a moment to close: retry briefly.
        let mut bound = TcpListener::bind(addr).await;
        for _ in 0..5 {
            match &bound {
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    bound = TcpListener::bind(addr).await;
                }
                _ => break,
            }
        }
        match bound {
            Ok(l) => out.push(l),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => return Err(BindError::Busy(*addr)),
            Err(e) if addr.is_ipv6() && target.addrs.len() > 1 => {
                tracing::debug!("no IPv6 loopback listener on {addr}: {e}");
            }
            Err(e) => return Err(BindError::Other(*addr, e)),
        }
    }
    Ok(out)
}

/// Serves the listeners until `stop` fires or the callback receiver goes away.
pub(crate) fn serve(
    listeners: Vec<TcpListener>,
    path: String,
    callbacks: mpsc::Sender<Callback>,
    stop: tokio_util::sync::CancellationToken,
) {
    for listener in listeners {
        let path = path.clone();
        let callbacks = callbacks.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let path = path.clone();
                        let callbacks = callbacks.clone();
                        tokio::spawn(async move {
                            if let Err(e) = handle(stream, &path, callbacks).await {
                                tracing::debug!("loopback connection: {e}");
                            }
                        });
                    }
                }
            }
            // Dropping the listener closes the port.
        });
    }
}

async fn read_head(stream: &mut TcpStream) -> io::Result<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() > 16 * 1024 {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

async fn handle(
    mut stream: TcpStream,
    path: &str,
    callbacks: mpsc::Sender<Callback>,
) -> io::Result<()> {
    let head = match tokio::time::timeout(Duration::from_secs(10), read_head(&mut stream)).await {
        Ok(h) => h?,
        Err(_) => return Ok(()),
    };
    let mut parts = head.lines().next().unwrap_or("").split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let (req_path, query) = target.split_once('?').unwrap_or((target, ""));
    if method != "GET" || req_path != path {
        return write_page(&mut stream, &not_found()).await;
    }
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let has = |k: &str| params.iter().any(|(key, _)| key == k);
    if !has("code") && !has("error") {
        let page = Page {
            status: 400,
            title: "Not an authorization response".into(),
            body: "This address receives Constant Contact's answer after you click Allow. Nothing was done.".into(),
        };
        return write_page(&mut stream, &page).await;
    }
    let (tx, rx) = oneshot::channel();
    let page = if callbacks
        .send(Callback { params, reply: tx })
        .await
        .is_err()
    {
        Page {
            status: 410,
            title: "This sign-in attempt is over".into(),
            body: "ctctsync is no longer waiting for this authorization. Start it again from ctctsync.".into(),
        }
    } else {
        match tokio::time::timeout(Duration::from_secs(120), rx).await {
            Ok(Ok(page)) => page,
            _ => Page {
                status: 500,
                title: "No answer from ctctsync".into(),
                body: "ctctsync did not finish the authorization. Check the terminal.".into(),
            },
        }
    };
    write_page(&mut stream, &page).await
}

fn not_found() -> Page {
    Page {
        status: 404,
        title: "Not found".into(),
        body: "Nothing here.".into(),
    }
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn write_page(stream: &mut TcpStream, page: &Page) -> io::Result<()> {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>ctctsync: {t}</title></head>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\"><h1>{t}</h1><p>{b}</p></body></html>",
        t = escape(&page.title),
        b = escape(&page.body)
    );
    let reason = match page.status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        410 => "Gone",
        _ => "Error",
    };
    let response = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{html}",
        page.status,
        html.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}
