//! Cursor pagination as a [`Stream`] of pages (ctct-api.md §2.4, P8).
//!
//! The next page is `_links.next.href` joined verbatim to the API host; a page without it is the
//! last. Each page request goes through the client's retries, so a transient failure is retried
//! on the same cursor; if it still fails, the stream yields the error and then ends — an error is
//! never mistaken for the end of the listing. [`Pages::cursor`] tells where it stopped, so a caller
//! can resume later with [`Client::resume_pages`].

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use url::Url;

use super::client::Client;
use super::error::CtctError;
use super::models::Page;

/// A stream of pages of type `P`. Stop early by dropping it.
pub struct Pages<P> {
    client: Client,
    /// The page to fetch next (`None` once the last page was read or after an error).
    next: Option<Url>,
    /// The page being fetched.
    current: Option<Url>,
    pending: Option<BoxFuture<'static, Result<P, CtctError>>>,
    /// An error to yield after the page that carried a bad next link.
    deferred: Option<CtctError>,
    pages: u64,
}

impl<P> Pages<P> {
    pub(crate) fn new(client: Client, first: Url) -> Pages<P> {
        Pages {
            client,
            next: Some(first),
            current: None,
            pending: None,
            deferred: None,
            pages: 0,
        }
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> u64 {
        self.pages
    }

    /// The URL of the page not yet read (the failed one after an error), as a path and query
    /// that [`Client::resume_pages`] accepts.
    pub fn cursor(&self) -> Option<String> {
        self.current
            .as_ref()
            .or(self.next.as_ref())
            .map(|u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            })
    }
}

impl<P> Stream for Pages<P>
where
    P: Page + DeserializeOwned + Send + 'static,
{
    type Item = Result<P, CtctError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(e) = this.deferred.take() {
            return Poll::Ready(Some(Err(e)));
        }
        if this.pending.is_none() {
            let Some(url) = this.next.take() else {
                return Poll::Ready(None);
            };
            this.current = Some(url.clone());
            let client = this.client.clone();
            this.pending = Some(Box::pin(async move { client.get_json::<P>(url).await }));
        }
        let Some(fut) = this.pending.as_mut() else {
            return Poll::Ready(None);
        };
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                this.pending = None;
                match result {
                    Ok(page) => {
                        this.pages += 1;
                        let fetched = this.current.take();
                        match page.next_href().map(|h| this.client.join_href(h)) {
                            None => {}
                            Some(Ok(next)) if Some(&next) == fetched.as_ref() => {
                                // A server that hands back the same cursor would loop forever.
                                this.current = Some(next);
                                this.deferred = Some(CtctError::Decode {
                                    what: "a pagination link".into(),
                                    message: "the next page link repeats the current page".into(),
                                });
                            }
                            Some(Ok(next)) => this.next = Some(next),
                            Some(Err(e)) => this.deferred = Some(e),
                        }
                        Poll::Ready(Some(Ok(page)))
                    }
                    // Keep `current` for `cursor()`; the stream ends after this error.
                    Err(e) => Poll::Ready(Some(Err(e))),
                }
            }
        }
    }
}

impl Client {
    /// Continues a listing from a cursor returned by [`Pages::cursor`].
    pub fn resume_pages<P>(&self, cursor: &str) -> Result<Pages<P>, CtctError> {
        Ok(Pages::new(self.clone(), self.join_href(cursor)?))
    }
}
