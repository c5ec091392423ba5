//! A private coturn (Debian's `turnserver`) on loopback, for the tests that prove Sangdam's
//! credentials work with an external relay configured with `use-auth-secret`. `.ci/run`
//! installs coturn where it is missing.

use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Coturn {
    child: Option<Child>,
    port: u16,
}

impl Coturn {
    /// Starts coturn on 127.0.0.1 at a free port with `static-auth-secret = secret`, relay
    /// ports in a range of its own, and loopback peers allowed (both test peers are on
    /// this machine). Waits until it answers a STUN binding request.
    pub fn start(secret: &str) -> Coturn {
        for _ in 0..10 {
            let port = UdpSocket::bind("127.0.0.1:0")
                .and_then(|s| s.local_addr())
                .expect("a free UDP port")
                .port();
            let child = Command::new("turnserver")
                .args([
                    "-n",
                    "--listening-ip",
                    "127.0.0.1",
                    "--relay-ip",
                    "127.0.0.1",
                ])
                .args(["--listening-port", &port.to_string()])
                .args(["--min-port", "40000", "--max-port", "40999"])
                .args(["--use-auth-secret", "--static-auth-secret", secret])
                .args(["--realm", "sangdam-test", "--fingerprint"])
                .args([
                    "--no-tls",
                    "--no-dtls",
                    "--no-cli",
                    "--allow-loopback-peers",
                ])
                .args(["--log-file", "stdout", "--simple-log", "--no-stdout-log"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("turnserver on PATH (apt-get install -y coturn)");
            let mut c = Coturn {
                child: Some(child),
                port,
            };
            if c.wait_ready() {
                return c;
            }
        }
        panic!("coturn did not start on a free port");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn wait_ready(&mut self) -> bool {
        // A STUN Binding request (RFC 5389 header, no attributes).
        let mut req = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42];
        req.extend_from_slice(&[7u8; 12]);
        let probe = UdpSocket::bind("127.0.0.1:0").expect("a probe socket");
        probe
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(Ok(Some(_))) = self.child.as_mut().map(|c| c.try_wait()) {
                self.child = None;
                return false;
            }
            let _ = probe.send_to(&req, ("127.0.0.1", self.port));
            let mut buf = [0u8; 512];
            if let Ok((n, _)) = probe.recv_from(&mut buf) {
                // A Binding success response for our transaction.
                if n >= 20 && buf[0..2] == [0x01, 0x01] && buf[8..20] == [7u8; 12] {
                    return true;
                }
            }
        }
        false
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
