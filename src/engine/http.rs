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
                    format!("dns: cannot resolve {host}: {e}").into()
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

/// The most useful line of a reqwest error: its innermost cause that says something, so
/// "blocked: 127.0.0.1 is loopback" or "connection refused" reaches the log instead of
/// "error sending request".
pub fn describe_error(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        return "timeout: the endpoint did not answer in time".to_string();
    }
    let mut messages = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        messages.push(s.to_string());
        source = s.source();
    }
    if let Some(blocked) = messages.iter().find(|m| m.starts_with("blocked: ")) {
        return blocked.clone();
    }
    if let Some(dns) = messages.iter().find(|m| m.starts_with("dns: ")) {
        return dns.clone();
    }
    let kind = if err.is_connect() { "connect: " } else { "" };
    format!("{kind}{}", messages.last().cloned().unwrap_or_default())
}
