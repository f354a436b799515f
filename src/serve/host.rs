//! The names the server answers to: a guard against DNS rebinding.
//!
//! A page of another site whose name its owner points at 127.0.0.1 is, to the browser, a page
//! of that name's own origin: it may read the server's answers (pages, the API, the forms'
//! token) and post forms whose `Origin` matches the `Host` it sent. Only the `Host` tells such a
//! request apart, so every request, on every route and before any handler, must name this
//! server: `localhost`, `127.0.0.1`, `[::1]`, the address it is bound to, or a name given with
//! `--public-name`. Any port is accepted (an SSH tunnel or a proxy changes it; a port is not
//! something a rebinding attacker could use). Bound to every address (`0.0.0.0`, `[::]`), any
//! IP literal is accepted as well: the server cannot list its interfaces, and an IP literal
//! cannot be rebound (its origin is the address itself). Anything else answers 421.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The names a request may give in `Host`.
#[derive(Debug, Clone)]
pub(crate) struct Hosts {
    bound: IpAddr,
    /// Lower case.
    public: Vec<String>,
}

/// A `--public-name` that is not a host name.
#[derive(Debug, thiserror::Error)]
#[error(
    "--public-name {0:?}: give the host name the server is reached by, without a scheme, port or path (e.g. arxiv.example.org)"
)]
pub(crate) struct BadPublicName(String);

impl Hosts {
    pub(crate) fn new(bound: IpAddr, public: &[String]) -> Result<Hosts, BadPublicName> {
        let public = public
            .iter()
            .map(|n| {
                let name = n.trim().to_ascii_lowercase();
                let ok = !name.is_empty()
                    && name.len() <= 253
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'));
                if ok {
                    Ok(name)
                } else {
                    Err(BadPublicName(n.clone()))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Hosts { bound, public })
    }

    /// Whether a request naming `host` (a `Host` header's value, or a URI's authority) is
    /// meant for this server.
    pub(crate) fn allows(&self, host: &str) -> bool {
        let Some(name) = name_of(host) else {
            return false;
        };
        match name {
            Name::Ip(ip) => {
                ip == IpAddr::V4(Ipv4Addr::LOCALHOST)
                    || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
                    || ip == self.bound
                    || self.bound.is_unspecified()
            }
            Name::Domain(d) => {
                d.eq_ignore_ascii_case("localhost")
                    || self.public.iter().any(|p| d.eq_ignore_ascii_case(p))
            }
        }
    }

    /// The names accepted, for the refusal's message.
    pub(crate) fn describe(&self) -> String {
        let mut names = vec!["localhost".to_string(), "127.0.0.1".into(), "[::1]".into()];
        let bound = match self.bound {
            IpAddr::V6(v6) => format!("[{v6}]"),
            v4 => v4.to_string(),
        };
        if self.bound.is_unspecified() {
            names.push("any IP address".into());
        } else if !names.contains(&bound) {
            names.push(bound);
        }
        names.extend(self.public.iter().cloned());
        names.join(", ")
    }
}

enum Name<'a> {
    Ip(IpAddr),
    Domain(&'a str),
}

/// The host of `host[:port]` (`[v6][:port]`), or `None` when it is not of that shape.
fn name_of(host: &str) -> Option<Name<'_>> {
    let port_ok = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(port_ok)) {
            return None;
        }
        return inside
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| Name::Ip(ip.into()));
    }
    let name = match host.split_once(':') {
        Some((name, port)) if port_ok(port) => name,
        Some(_) => return None,
        None => host,
    };
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
    {
        return None;
    }
    Some(match name.parse::<Ipv4Addr>() {
        Ok(ip) => Name::Ip(ip.into()),
        Err(_) => Name::Domain(name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_servers_names_pass() {
        let loopback = Hosts::new("127.0.0.1".parse().unwrap(), &[]).unwrap();
        let lan = Hosts::new(
            "192.168.1.5".parse().unwrap(),
            &["Arxiv.Example.org".into()],
        )
        .unwrap();
        let any = Hosts::new("0.0.0.0".parse().unwrap(), &[]).unwrap();
        for ok in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:8080",
            "[::1]",
            "[::1]:8080",
        ] {
            assert!(loopback.allows(ok), "{ok}");
            assert!(lan.allows(ok), "{ok}");
        }
        for bad in [
            "",
            "rebind.evil.example",
            "rebind.evil.example:8080",
            "localhost.evil.example",
            "evil.localhost",
            "127.0.0.1.evil.example",
            "127.0.0.2",
            "192.168.1.5",
            "localhost:",
            "localhost:80:80",
            "localhost:80@evil.example",
            "user@localhost",
            "[::1",
            "[::1]x",
            "[::2]",
            "localhost\t",
            "local host",
            "arxiv.example.org",
        ] {
            assert!(!loopback.allows(bad), "{bad:?}");
        }
        assert!(lan.allows("192.168.1.5:8080"));
        assert!(lan.allows("arxiv.example.org"));
        assert!(lan.allows("ARXIV.example.ORG:443"));
        assert!(!lan.allows("example.org"));
        assert!(!lan.allows("arxiv.example.org.evil"));
        assert!(!lan.allows("10.0.0.1"));
        assert!(any.allows("10.0.0.1:8080"));
        assert!(any.allows("[fe80::1]:8080"));
        assert!(!any.allows("rebind.evil.example"));
        for bad in ["", "http://x.org", "x.org:443", "x.org/", "a b"] {
            assert!(
                Hosts::new(IpAddr::V4(Ipv4Addr::LOCALHOST), &[bad.into()]).is_err(),
                "{bad}"
            );
        }
    }
}
