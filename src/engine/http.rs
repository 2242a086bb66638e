//! The HTTP client every attempt goes through: rustls, no redirects, no proxies from the
//! environment, and a resolver that applies the address policy to the addresses it returns, so
//! the address checked is the address connected to (no DNS-rebinding window).

use crate::engine::address_policy::AddressPolicy;
use crate::engine::error::{Error, Result};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub const USER_AGENT: &str = concat!("umw/", env!("CARGO_PKG_VERSION"));

/// A host name that did not resolve (found again in reqwest's error chain by type).
#[derive(Debug, thiserror::Error)]
#[error("dns: cannot resolve {host}: {reason}")]
pub struct DnsError {
    pub host: String,
    pub reason: String,
}

struct PolicyResolver {
    policy: AddressPolicy,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> {
                    Box::new(DnsError {
                        host: host.clone(),
                        reason: e.to_string(),
                    })
                })?
                .collect();
            let allowed = policy.filter_resolved(resolved).map_err(
                |blocked| -> Box<dyn std::error::Error + Send + Sync> { Box::new(blocked) },
            )?;
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

pub fn client(
    policy: &AddressPolicy,
    timeout: Duration,
    pool_per_host: usize,
) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        // The whole exchange is bounded by `delivery::attempt` itself (one timer, not two).
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .pool_max_idle_per_host(pool_per_host)
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true)
        .dns_resolver(Arc::new(PolicyResolver {
            policy: policy.clone(),
        }))
        .build()
        .map_err(|e| Error::Runtime(format!("cannot build the HTTP client: {e}")))
}

/// What went wrong with a request, by kind: the innermost cause that says something, found by
/// type in reqwest's error chain (a blocked address, a name that did not resolve), so
/// "blocked: 127.0.0.1 is loopback" or "connection refused" reaches the log instead of
/// "error sending request".
pub fn classify(err: &reqwest::Error) -> crate::engine::delivery::AttemptError {
    use crate::engine::address_policy::Blocked;
    use crate::engine::delivery::AttemptError;
    if err.is_timeout() {
        return AttemptError::Timeout(None);
    }
    let mut innermost = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(blocked) = s.downcast_ref::<Blocked>() {
            return AttemptError::Blocked(blocked.to_string());
        }
        if let Some(dns) = s.downcast_ref::<DnsError>() {
            return AttemptError::Dns(dns.to_string());
        }
        innermost = s.to_string();
        source = s.source();
    }
    if err.is_connect() {
        AttemptError::Connect(innermost)
    } else {
        AttemptError::Transport(innermost)
    }
}
