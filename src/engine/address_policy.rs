//! SSRF address policy: decides whether a webhook may be delivered to an IP
//! address, so that a subscriber URL cannot be used to reach loopback,
//! private, link-local (cloud metadata) or other non-public destinations.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;
use url::{Host, Url};

/// Why an address is refused; Display is exactly "blocked: {addr} is {range}".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("blocked: {addr} is {range}")]
pub struct Blocked {
    pub addr: IpAddr,
    pub range: &'static str,
}

// The setting is named inside the sentence, not as a prefix, because the
// config loader already prefixes "umw.allowed_networks: " to these messages.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error(
        "\"{entry}\" is not an IP address or CIDR network; umw.allowed_networks takes \
         a comma-separated list such as \"10.0.0.0/8,fd00::/8\""
    )]
    InvalidCidr { entry: String },
}

struct V4Range {
    net: u32,
    prefix: u8,
    name: &'static str,
    // An IPv6 address that embeds an IPv4 one is reported with its form, so
    // an operator reading the log can tell why "::ffff:10.0.0.1" was refused.
    mapped: &'static str,
    compatible: &'static str,
    nat64: &'static str,
}

macro_rules! v4_ranges {
    ($( [$a:literal, $b:literal, $c:literal, $d:literal] / $prefix:literal => $name:literal, )*) => {
        &[$(V4Range {
            net: u32::from_be_bytes([$a, $b, $c, $d]),
            prefix: $prefix,
            name: $name,
            mapped: concat!($name, " (IPv4-mapped)"),
            compatible: concat!($name, " (IPv4-compatible)"),
            nat64: concat!($name, " (NAT64)"),
        },)*]
    };
}

// Order matters: the first match wins, so more specific ranges come first.
const V4_RANGES: &[V4Range] = v4_ranges![
    [0, 0, 0, 0] / 32 => "unspecified",
    [0, 0, 0, 0] / 8 => "this network",
    [127, 0, 0, 0] / 8 => "loopback",
    [10, 0, 0, 0] / 8 => "private",
    [172, 16, 0, 0] / 12 => "private",
    [192, 168, 0, 0] / 16 => "private",
    [169, 254, 0, 0] / 16 => "link-local",
    [100, 64, 0, 0] / 10 => "shared address space (CGNAT)",
    [192, 0, 0, 0] / 24 => "IETF protocol assignments",
    [192, 0, 2, 0] / 24 => "documentation",
    [198, 51, 100, 0] / 24 => "documentation",
    [203, 0, 113, 0] / 24 => "documentation",
    [198, 18, 0, 0] / 15 => "benchmarking",
    [192, 88, 99, 0] / 24 => "6to4 relay",
    [224, 0, 0, 0] / 4 => "multicast",
    [255, 255, 255, 255] / 32 => "broadcast",
    [240, 0, 0, 0] / 4 => "reserved",
];

struct V6Range {
    net: Ipv6Addr,
    prefix: u8,
    name: &'static str,
}

const fn v6(s: [u16; 8], prefix: u8, name: &'static str) -> V6Range {
    let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
    V6Range { net, prefix, name }
}

// Checked after the exact ::/::1 and the IPv4-embedding prefixes. First match
// wins, so the specific 2001::/23 sub-blocks precede the /23 itself.
const V6_RANGES: &[V6Range] = &[
    v6(
        [0x0064, 0xff9b, 0x0001, 0, 0, 0, 0, 0],
        48,
        "private (local-use NAT64)",
    ),
    v6([0x0100, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only"),
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "unique-local"),
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local"),
    v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "site-local (deprecated)"),
    v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast"),
    v6([0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32, "documentation"),
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "documentation"),
    // Teredo and 6to4 carry an IPv4 address inside, which may be private;
    // relays would forward to it, so both are treated as opaque tunnels.
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "tunnel (Teredo)"),
    v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16, "tunnel (6to4)"),
    v6([0x2001, 0x0002, 0, 0, 0, 0, 0, 0], 48, "benchmarking"),
    v6(
        [0x2001, 0x0010, 0, 0, 0, 0, 0, 0],
        28,
        "ORCHID (deprecated)",
    ),
    v6([0x2001, 0x0020, 0, 0, 0, 0, 0, 0], 28, "ORCHIDv2"),
    v6(
        [0x2001, 0, 0, 0, 0, 0, 0, 0],
        23,
        "IETF protocol assignments",
    ),
];

const MAPPED_PREFIX: u128 = 0xffff_0000_0000;
const NAT64_PREFIX: u128 = 0x0064_ff9b << 96;

fn prefix_matches(addr: u128, net: u128, prefix: u8, bits: u32) -> bool {
    let shift = bits.saturating_sub(u32::from(prefix));
    // An IPv6 /0 shifts by the full 128 bits, which checked_shr refuses; a
    // /0 matches everything, so both sides collapse to 0.
    addr.checked_shr(shift).unwrap_or(0) == net.checked_shr(shift).unwrap_or(0)
}

/// The low 32 bits, where every IPv4-embedding IPv6 form keeps its address;
/// the truncating cast is the point.
fn embedded_v4(bits: u128) -> Ipv4Addr {
    Ipv4Addr::from(bits as u32)
}

fn v4_range(ip: Ipv4Addr) -> Option<&'static V4Range> {
    let addr = u128::from(u32::from(ip));
    V4_RANGES
        .iter()
        .find(|r| prefix_matches(addr, u128::from(r.net), r.prefix, 32))
}

/// The IPv4 address an IPv4-mapped IPv6 address really connects to: dual-stack
/// sockets send such traffic over IPv4, so it deserves the IPv4 treatment.
fn mapped_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    (bits >> 32 == MAPPED_PREFIX >> 32).then(|| embedded_v4(bits))
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let bits = u128::from(ip);
    if bits == 0 {
        return Some("unspecified");
    }
    if bits == 1 {
        return Some("loopback");
    }
    let embedded = embedded_v4(bits);
    if let Some(v4) = mapped_v4(ip) {
        return v4_range(v4).map(|r| r.mapped);
    }
    if bits >> 32 == 0 {
        return v4_range(embedded).map(|r| r.compatible);
    }
    if bits >> 32 == NAT64_PREFIX >> 32 {
        return v4_range(embedded).map(|r| r.nat64);
    }
    if let Some(r) = V6_RANGES
        .iter()
        .find(|r| prefix_matches(bits, u128::from(r.net), r.prefix, 128))
    {
        return Some(r.name);
    }
    // Only 2000::/3 is allocated for global unicast; everything else in the
    // IPv6 space is reserved by IANA, so refusing it cannot break a real
    // receiver but does close off future special-purpose blocks.
    if bits >> 125 != 0b001 {
        return Some("reserved");
    }
    None
}

/// The special range a non-public address belongs to, None for a globally
/// routable address.
pub fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_range(v4).map(|r| r.name),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    pub allow_private_networks: bool,
    pub allowed_networks: Vec<IpNet>,
}

impl AddressPolicy {
    fn is_explicitly_allowed(&self, ip: IpAddr) -> bool {
        let mapped = match ip {
            IpAddr::V6(v6) => mapped_v4(v6).map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        self.allowed_networks
            .iter()
            .any(|net| net.contains(&ip) || mapped.is_some_and(|v4| net.contains(&v4)))
    }

    /// Ok when public, or allow_private_networks, or inside one of
    /// allowed_networks (IPv4-mapped IPv6 addresses also match IPv4 networks).
    pub fn check(&self, ip: IpAddr) -> Result<(), Blocked> {
        match classify(ip) {
            None => Ok(()),
            Some(_) if self.allow_private_networks || self.is_explicitly_allowed(ip) => Ok(()),
            Some(range) => Err(Blocked { addr: ip, range }),
        }
    }

    /// Ok(Some(ip)) for a permitted IP literal, Ok(None) for a hostname (it is
    /// checked later, after resolution), Err for a blocked literal.
    ///
    /// WHATWG parsing has already turned spellings such as `2130706433`,
    /// `0x7f.1`, `0177.0.0.1` and `127.1` into `127.0.0.1` for http(s).
    pub fn check_url_host(&self, url: &Url) -> Result<Option<IpAddr>, Blocked> {
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            // Non-special schemes keep IP literals as opaque text; parsing
            // them here keeps a scheme mix-up from becoming a bypass.
            Some(Host::Domain(name)) => match name.parse::<IpAddr>() {
                Ok(ip) => ip,
                Err(_) => return Ok(None),
            },
            None => return Ok(None),
        };
        self.check(ip).map(|()| Some(ip))
    }

    /// Keep the permitted resolved addresses; if none remain, Err with the
    /// Blocked of the first address. An empty input stays Ok(empty): that is
    /// a resolution failure for the caller to report, not a policy decision.
    pub fn filter_resolved(&self, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, Blocked> {
        let mut first_blocked = None;
        let mut permitted = Vec::with_capacity(addrs.len());
        for addr in addrs {
            match self.check(addr.ip()) {
                Ok(()) => permitted.push(addr),
                Err(blocked) => {
                    first_blocked.get_or_insert(blocked);
                }
            }
        }
        match first_blocked {
            Some(blocked) if permitted.is_empty() => Err(blocked),
            _ => Ok(permitted),
        }
    }
}

/// Parse "10.0.0.0/8, fd00::/8" (commas, optional spaces, empty string =
/// empty list; a bare IP means /32 or /128). Empty items from stray commas
/// are skipped since they cannot widen the allowance.
pub fn parse_allowed_networks(s: &str) -> Result<Vec<IpNet>, PolicyError> {
    s.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<IpNet>()
                .map(|net| net.trunc())
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| PolicyError::InvalidCidr {
                    entry: entry.to_owned(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address parses")
    }

    #[test]
    fn classify_table() {
        let cases: &[(&str, Option<&str>)] = &[
            // IPv4 special ranges
            ("0.0.0.0", Some("unspecified")),
            ("0.1.2.3", Some("this network")),
            ("127.0.0.1", Some("loopback")),
            ("127.255.255.254", Some("loopback")),
            ("10.0.0.1", Some("private")),
            ("10.255.255.255", Some("private")),
            ("172.16.0.1", Some("private")),
            ("172.31.255.255", Some("private")),
            ("192.168.1.1", Some("private")),
            ("169.254.169.254", Some("link-local")),
            ("169.254.0.1", Some("link-local")),
            ("100.64.0.1", Some("shared address space (CGNAT)")),
            ("100.127.255.255", Some("shared address space (CGNAT)")),
            ("224.0.0.1", Some("multicast")),
            ("239.255.255.250", Some("multicast")),
            ("255.255.255.255", Some("broadcast")),
            ("192.0.2.1", Some("documentation")),
            ("198.51.100.7", Some("documentation")),
            ("203.0.113.9", Some("documentation")),
            ("198.18.0.1", Some("benchmarking")),
            ("198.19.255.255", Some("benchmarking")),
            ("192.0.0.8", Some("IETF protocol assignments")),
            ("240.0.0.1", Some("reserved")),
            ("255.255.255.254", Some("reserved")),
            ("192.88.99.1", Some("6to4 relay")),
            // IPv4 neighbours of special ranges stay public
            ("8.8.8.8", None),
            ("1.1.1.1", None),
            ("172.15.255.255", None),
            ("172.32.0.0", None),
            ("100.63.255.255", None),
            ("100.128.0.0", None),
            ("198.20.0.0", None),
            ("11.0.0.1", None),
            ("126.255.255.255", None),
            ("223.255.255.255", None),
            // IPv6 special ranges
            ("::", Some("unspecified")),
            ("::1", Some("loopback")),
            ("fc00::1", Some("unique-local")),
            ("fd12:3456::1", Some("unique-local")),
            ("fe80::1", Some("link-local")),
            ("febf::1", Some("link-local")),
            ("fec0::1", Some("site-local (deprecated)")),
            ("ff02::1", Some("multicast")),
            ("2001:db8::1", Some("documentation")),
            ("3fff::1", Some("documentation")),
            ("100::1", Some("discard-only")),
            ("2001::1", Some("tunnel (Teredo)")),
            (
                "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                Some("tunnel (Teredo)"),
            ),
            ("2002:7f00:1::1", Some("tunnel (6to4)")),
            ("2001:2::1", Some("benchmarking")),
            ("2001:10::1", Some("ORCHID (deprecated)")),
            ("2001:20::1", Some("ORCHIDv2")),
            ("2001:1ff::1", Some("IETF protocol assignments")),
            ("64:ff9b:1::a00:1", Some("private (local-use NAT64)")),
            ("5f00::1", Some("reserved")),
            ("4000::1", Some("reserved")),
            ("::ffff:0:a00:1", Some("reserved")),
            // IPv6 forms embedding IPv4 are judged by the embedded address
            ("::ffff:127.0.0.1", Some("loopback (IPv4-mapped)")),
            ("::ffff:10.0.0.1", Some("private (IPv4-mapped)")),
            ("::ffff:169.254.169.254", Some("link-local (IPv4-mapped)")),
            ("::ffff:0.0.0.0", Some("unspecified (IPv4-mapped)")),
            ("::127.0.0.1", Some("loopback (IPv4-compatible)")),
            ("::192.168.0.1", Some("private (IPv4-compatible)")),
            ("::0.0.0.2", Some("this network (IPv4-compatible)")),
            ("64:ff9b::127.0.0.1", Some("loopback (NAT64)")),
            ("64:ff9b::a9fe:a9fe", Some("link-local (NAT64)")),
            ("::ffff:8.8.8.8", None),
            ("64:ff9b::8.8.8.8", None),
            ("::8.8.8.8", None),
            // public IPv6
            ("2606:4700::1111", None),
            ("2a00:1450:4001:81a::200e", None),
            ("2001:200::1", None),
            ("2003::1", None),
        ];
        for (addr, expected) in cases {
            assert_eq!(classify(ip(addr)), *expected, "{addr}");
        }
    }

    #[test]
    fn blocked_display() {
        let policy = AddressPolicy::default();
        let cases = [
            ("127.0.0.1", "blocked: 127.0.0.1 is loopback"),
            (
                "::ffff:10.0.0.1",
                "blocked: ::ffff:10.0.0.1 is private (IPv4-mapped)",
            ),
            ("fe80::1", "blocked: fe80::1 is link-local"),
        ];
        for (addr, shown) in cases {
            let err = policy.check(ip(addr)).expect_err("blocked");
            assert_eq!(err.to_string(), shown);
        }
    }

    #[test]
    fn check_table() {
        let default = AddressPolicy::default();
        let open = AddressPolicy {
            allow_private_networks: true,
            allowed_networks: Vec::new(),
        };
        let listed = AddressPolicy {
            allow_private_networks: false,
            allowed_networks: parse_allowed_networks("10.1.0.0/16, fd00::/8, 127.0.0.1")
                .expect("valid list"),
        };
        // (policy, address, allowed?)
        let cases: &[(&AddressPolicy, &str, bool)] = &[
            (&default, "8.8.8.8", true),
            (&default, "1.1.1.1", true),
            (&default, "2606:4700::1111", true),
            (&default, "::ffff:8.8.8.8", true),
            (&default, "10.1.2.3", false),
            (&default, "::1", false),
            (&default, "169.254.169.254", false),
            (&open, "8.8.8.8", true),
            (&open, "10.1.2.3", true),
            (&open, "127.0.0.1", true),
            (&open, "169.254.169.254", true),
            (&open, "::1", true),
            (&open, "fd00::1", true),
            (&open, "::ffff:192.168.0.1", true),
            (&listed, "8.8.8.8", true),
            (&listed, "10.1.2.3", true),
            (&listed, "::ffff:10.1.2.3", true),
            (&listed, "10.2.0.1", false),
            (&listed, "fd00::1", true),
            (&listed, "fc00::1", false),
            (&listed, "127.0.0.1", true),
            (&listed, "127.0.0.2", false),
            (&listed, "::1", false),
            (&listed, "169.254.169.254", false),
            // Only mapped forms reach IPv4; compatible ones are not routed so.
            (&listed, "::10.1.2.3", false),
        ];
        for (policy, addr, allowed) in cases {
            assert_eq!(
                policy.check(ip(addr)).is_ok(),
                *allowed,
                "{addr} {policy:?}"
            );
        }
    }

    #[test]
    fn check_url_host_table() {
        let policy = AddressPolicy::default();
        // (url, Ok(Some literal) / Ok(None) hostname / Err(range))
        let cases: &[(&str, Result<Option<&str>, &str>)] = &[
            ("http://localhost/", Ok(None)),
            ("https://example.com/hook", Ok(None)),
            ("https://8.8.8.8/hook", Ok(Some("8.8.8.8"))),
            ("https://[2606:4700::1111]/", Ok(Some("2606:4700::1111"))),
            ("http://127.1/", Err("loopback")),
            ("http://2130706433/", Err("loopback")),
            ("http://0x7f.1/", Err("loopback")),
            ("http://0177.0.0.1/", Err("loopback")),
            ("http://127.0.0.1:8080/x", Err("loopback")),
            ("http://[::1]/", Err("loopback")),
            ("http://[::ffff:127.0.0.1]/", Err("loopback (IPv4-mapped)")),
            ("http://[::ffff:7f00:1]/", Err("loopback (IPv4-mapped)")),
            ("http://0.0.0.0/", Err("unspecified")),
            ("http://0/", Err("unspecified")),
            ("http://[::]/", Err("unspecified")),
            ("http://169.254.169.254/latest/meta-data", Err("link-local")),
            ("http://0xa9fea9fe/", Err("link-local")),
            ("http://10.0.0.1/", Err("private")),
            ("http://[fd00::1]/", Err("unique-local")),
            ("foo://127.0.0.1/", Err("loopback")),
        ];
        for (raw, expected) in cases {
            let url = Url::parse(raw).expect("test URL parses");
            let got = policy.check_url_host(&url);
            match expected {
                Ok(literal) => assert_eq!(got, Ok(literal.map(ip)), "{raw}"),
                Err(range) => assert_eq!(got.map_err(|b| b.range), Err(*range), "{raw}"),
            }
        }
    }

    #[test]
    fn filter_resolved_table() {
        let sa = |s: &str| -> SocketAddr { s.parse().expect("socket address parses") };
        let policy = AddressPolicy::default();
        // (input, Ok(kept) / Err(first blocked address))
        type Case = (Vec<&'static str>, Result<Vec<&'static str>, &'static str>);
        let cases: Vec<Case> = vec![
            (vec![], Ok(vec![])),
            (vec!["8.8.8.8:443"], Ok(vec!["8.8.8.8:443"])),
            (
                vec![
                    "10.0.0.1:443",
                    "8.8.8.8:443",
                    "[::1]:443",
                    "[2606:4700::1111]:443",
                ],
                Ok(vec!["8.8.8.8:443", "[2606:4700::1111]:443"]),
            ),
            (vec!["127.0.0.1:80", "10.0.0.1:80"], Err("127.0.0.1")),
            (vec!["[fe80::1]:80", "127.0.0.1:80"], Err("fe80::1")),
        ];
        for (input, expected) in cases {
            let got = policy.filter_resolved(input.iter().map(|s| sa(s)).collect());
            let expected = expected
                .map(|kept| kept.iter().map(|s| sa(s)).collect::<Vec<_>>())
                .map_err(ip);
            assert_eq!(got.map_err(|b| b.addr), expected, "{input:?}");
        }
    }

    #[test]
    fn parse_allowed_networks_table() {
        let cases: &[(&str, Result<&[&str], &str>)] = &[
            ("", Ok(&[])),
            ("   ", Ok(&[])),
            ("10.0.0.0/8", Ok(&["10.0.0.0/8"])),
            ("10.0.0.0/8,fd00::/8", Ok(&["10.0.0.0/8", "fd00::/8"])),
            (" 10.0.0.0/8 ,  fd00::/8 ", Ok(&["10.0.0.0/8", "fd00::/8"])),
            ("10.0.0.0/8,", Ok(&["10.0.0.0/8"])),
            ("192.168.1.5", Ok(&["192.168.1.5/32"])),
            ("fd00::5", Ok(&["fd00::5/128"])),
            ("10.1.2.3/8", Ok(&["10.0.0.0/8"])),
            ("10.0.0.0/33", Err("10.0.0.0/33")),
            ("10.0.0.0/8,example.com", Err("example.com")),
            ("10.0.0.0/8;fd00::/8", Err("10.0.0.0/8;fd00::/8")),
        ];
        for (input, expected) in cases {
            let got = parse_allowed_networks(input);
            match expected {
                Ok(nets) => {
                    let got: Vec<String> = got
                        .expect("valid")
                        .iter()
                        .map(ToString::to_string)
                        .collect();
                    assert_eq!(got, *nets, "{input:?}");
                }
                Err(entry) => {
                    let err = got.expect_err("invalid");
                    let PolicyError::InvalidCidr { entry: got_entry } = &err;
                    assert_eq!(got_entry, entry);
                    let msg = err.to_string();
                    assert!(msg.contains("umw.allowed_networks"), "{msg}");
                    assert!(msg.contains("10.0.0.0/8,fd00::/8"), "{msg}");
                }
            }
        }
    }
}
