//! The real `sangdam` program as a separate process (the `sangdam-node` binary of this
//! crate, the same CLI), for tests that must kill it with SIGKILL and start it again.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// A running `sangdam serve`. Killed (SIGKILL) when dropped.
pub struct Node {
    child: Child,
    pub base_url: String,
    /// What the node printed, for a failing test to show.
    pub output: Arc<Mutex<Vec<String>>>,
}

impl Node {
    /// Starts `program serve --listen 127.0.0.1:0` with `args` and `env` (besides
    /// `SANGDAM_SECRET` = the tests' secret and no ICE servers), in `workdir`, and waits
    /// until it prints its address. `program` is `env!("CARGO_BIN_EXE_sangdam-node")`,
    /// which only an integration test (not this library) can name.
    pub fn start(program: &str, workdir: &Path, args: &[&str], env: &[(&str, &str)]) -> Node {
        let mut cmd = Command::new(program);
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .env("SANGDAM_SECRET", crate::app::SECRET)
            .env("SANGDAM_WEBRTC__ICE_SERVERS", "[]")
            .env("SANGDAM_TURN__LISTEN", "127.0.0.1:0")
            .env("SANGDAM_LOG", "info")
            .current_dir(workdir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // The test's own environment must not reconfigure the node.
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("SANGDAM_")) {
            cmd.env_remove(k);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the sangdam-node binary starts");
        let out = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(out).lines();
        let output = Arc::new(Mutex::new(Vec::new()));
        let base_url = loop {
            let Some(Ok(line)) = lines.next() else {
                panic!(
                    "the node exited before printing its address:\n{}",
                    output.lock().unwrap().join("\n")
                );
            };
            output.lock().unwrap().push(line.clone());
            if let Some(url) = line.trim().strip_prefix("http://") {
                break format!("http://{url}");
            }
        };
        // Keep draining stdout so the node never blocks on a full pipe.
        let keep = output.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                keep.lock().unwrap().push(line);
            }
        });
        Node {
            child,
            base_url,
            output,
        }
    }

    /// The process id, to read the node's memory and CPU from /proc.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn ws_url(&self) -> String {
        format!("{}/ws", self.base_url.replace("http://", "ws://"))
    }

    /// SIGKILL: no shutdown code runs, nothing is flushed that was not already.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What the node printed so far.
    pub fn printed(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}
