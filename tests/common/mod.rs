//! Test support: a real HTTP receiver on 127.0.0.1 and a runner for the real `php` binary with
//! the built extension loaded. Shared by every integration test file.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("body is JSON")
    }
}

/// What the receiver answers to the n-th request (0-based).
#[derive(Debug, Clone)]
pub enum Reply {
    Status(u16),
    StatusWithHeaders(u16, Vec<(String, String)>, String),
    Delay(Duration, u16),
    /// Accept, read the request, never answer (until the receiver stops).
    Hang,
    /// Answer one byte per interval, forever.
    Trickle(Duration),
    /// Answer 200 with an endless body.
    Endless,
}

type Script = Arc<dyn Fn(usize, &Received) -> Reply + Send + Sync>;

pub struct Receiver {
    pub port: u16,
    requests: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    pub fn start(script: impl Fn(usize, &Received) -> Reply + Send + Sync + 'static) -> Receiver {
        Self::start_on("127.0.0.1:0", script)
    }

    pub fn ok() -> Receiver {
        Self::start(|_, _| Reply::Status(200))
    }

    pub fn start_on(
        addr: &str,
        script: impl Fn(usize, &Received) -> Reply + Send + Sync + 'static,
    ) -> Receiver {
        let listener = TcpListener::bind(addr).expect("bind receiver");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let script: Arc<Mutex<Script>> = Arc::new(Mutex::new(Arc::new(script)));
        let (r, c, s, sc) = (
            requests.clone(),
            connections.clone(),
            stop.clone(),
            script.clone(),
        );
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        c.fetch_add(1, Ordering::SeqCst);
                        let (r, s, sc) = (r.clone(), s.clone(), sc.clone());
                        std::thread::spawn(move || serve(stream, r, s, sc));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Receiver {
            port,
            requests,
            connections,
            stop,
            script,
        }
    }

    pub fn set_script(&self, script: impl Fn(usize, &Received) -> Reply + Send + Sync + 'static) {
        *self.script.lock().unwrap() = Arc::new(script);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    pub fn requests(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Wait until at least `n` requests arrived (or the timeout); returns them.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        while self.count() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.requests()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(
    stream: TcpStream,
    requests: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    script: Arc<Mutex<Script>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let received = Received {
            method,
            path,
            headers,
            body,
            at: Instant::now(),
        };
        let n = {
            let mut all = requests.lock().unwrap();
            all.push(received.clone());
            all.len() - 1
        };
        let script = script.lock().unwrap().clone();
        let reply = script(n, &received);
        let ok = match reply {
            Reply::Status(code) => respond(&mut stream, code, &[], ""),
            Reply::StatusWithHeaders(code, hs, body) => respond(&mut stream, code, &hs, &body),
            Reply::Delay(d, code) => {
                std::thread::sleep(d);
                respond(&mut stream, code, &[], "")
            }
            Reply::Hang => {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                false
            }
            Reply::Trickle(every) => {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n");
                while !stop.load(Ordering::Relaxed) {
                    if stream.write_all(b"x").is_err() {
                        break;
                    }
                    std::thread::sleep(every);
                }
                false
            }
            Reply::Endless => {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
                let chunk = format!("{:x}\r\n{}\r\n", 8192, "y".repeat(8192));
                while !stop.load(Ordering::Relaxed) {
                    if stream.write_all(chunk.as_bytes()).is_err() {
                        break;
                    }
                }
                false
            }
        };
        if !ok {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    }
}

fn respond(stream: &mut TcpStream, code: u16, headers: &[(String, String)], body: &str) -> bool {
    let mut out = format!("HTTP/1.1 {code} X\r\ncontent-length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    stream.write_all(out.as_bytes()).is_ok()
}

/// Path of the built extension: $UMW_EXT, else target/release/libumw.so (built by the test command).
pub fn extension() -> PathBuf {
    if let Ok(p) = std::env::var("UMW_EXT") {
        return PathBuf::from(p);
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/libumw.so");
    assert!(
        p.exists(),
        "{} is missing: run `cargo build --release` first (the README's test command does)",
        p.display()
    );
    p
}

/// A scratch directory removed at drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "umw-test-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The real `php` binary with the extension and a store in a temp dir.
pub struct Php {
    pub dir: TempDir,
    pub ini: Vec<(String, String)>,
}

impl Php {
    /// Loopback receivers need allow_private_networks; short retries keep tests quick.
    pub fn new(name: &str) -> Php {
        let dir = TempDir::new(name);
        let store = dir.path("umw.sqlite").display().to_string();
        Php {
            dir,
            ini: vec![
                ("umw.store".into(), store),
                ("umw.allow_private_networks".into(), "1".into()),
                ("umw.retry_schedule".into(), "0.2,0.4".into()),
                ("umw.timeout_ms".into(), "3000".into()),
            ],
        }
    }

    pub fn set(mut self, key: &str, value: &str) -> Php {
        self.ini.retain(|(k, _)| k != key);
        self.ini.push((key.into(), value.into()));
        self
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path("umw.sqlite")
    }

    pub fn command(&self, code: &str) -> Command {
        let script = self.dir.path(&format!("script-{}.php", rand_suffix()));
        std::fs::write(&script, code).unwrap();
        let mut cmd = Command::new("php");
        cmd.arg("-d")
            .arg(format!("extension={}", extension().display()));
        for (k, v) in &self.ini {
            cmd.arg("-d").arg(format!("{k}={v}"));
        }
        cmd.arg(script);
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Run PHP code (a full script, starting with `<?php`) and return its output.
    pub fn run(&self, code: &str) -> Output {
        self.command(code).output().expect("run php")
    }

    /// Run and require exit 0; returns stdout.
    pub fn ok(&self, code: &str) -> String {
        let out = self.run(code);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "php failed: {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            out.status
        );
        stdout
    }
}

fn rand_suffix() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// Every id in `ids` arrived as the `webhook-id` of some request in `got`.
pub fn assert_all_arrived(got: &[Received], ids: &[String], context: &str) {
    for id in ids {
        assert!(
            got.iter()
                .any(|r| r.header("webhook-id") == Some(id.as_str())),
            "{context}{id} never arrived"
        );
    }
}

/// Register a webhook in a short PHP run; returns its id.
pub fn register(php: &Php, url: &str, events: &str) -> i64 {
    let out = php.ok(&format!(
        "<?php echo umw_register_webhook(['name' => 'test', 'url' => '{url}', 'events' => {events}]);"
    ));
    out.trim().parse().expect("webhook id")
}
