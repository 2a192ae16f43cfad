//! Linux network namespaces for tests that need real hosts, routers and firewalls: `ip` and
//! `nft` commands, and `sangam run` daemons inside a namespace with their logs kept. Needs root;
//! a test that cannot make its first namespace skips and says why.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Runs `ip` with `args`; true if it worked.
pub fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `ip` with `args` during set-up. Once the first namespace could be made, every later
/// step must work: a failure there is a bug in the test or the machine, never a skip.
pub fn must(args: &[&str]) {
    assert!(ip(args), "`ip {}` failed", args.join(" "));
}

/// Runs `command` inside namespace `host`; it must work.
pub fn must_in(host: &str, command: &[&str]) {
    let status = Command::new("ip")
        .args(["netns", "exec", host])
        .args(command)
        .stdout(Stdio::null())
        .status()
        .expect("ip runs");
    assert!(status.success(), "`{}` in {host} failed", command.join(" "));
}

/// Loads an nftables ruleset into namespace `host`; it must work.
pub fn nft_in(host: &str, rules: &str) {
    use std::io::Write;
    let mut child = Command::new("ip")
        .args(["netns", "exec", host, "nft", "-f", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("ip runs");
    child
        .stdin
        .take()
        .expect("a pipe")
        .write_all(rules.as_bytes())
        .expect("nft reads its rules");
    assert!(
        child.wait().expect("nft ends").success(),
        "nft refused the rules for {host}:\n{rules}"
    );
}

/// Whether the `nft` command is installed.
pub fn have_nft() -> bool {
    Command::new("nft")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A `sangam run` daemon inside a namespace, with its log kept in a file so that a failed test
/// shows what each daemon saw. Killed when dropped.
pub struct Daemon {
    child: Child,
    /// Where its log goes.
    pub log: PathBuf,
}

impl Daemon {
    /// Runs `sangam --data-dir <dir> run <args>` inside namespace `host`, logging at `filter`.
    pub fn start(host: &str, dir: &Path, args: &[&str], filter: &str) -> Daemon {
        let log = dir.join(format!("daemon-{}.log", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("the log file opens");
        let child = Command::new("ip")
            .args(["netns", "exec", host])
            .arg(crate::sangam_bin())
            .arg("--data-dir")
            .arg(dir)
            .arg("run")
            .args(args)
            .env("SANGAM_LOG", filter)
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("sangam starts");
        Daemon { child, log }
    }

    /// Kills the daemon (as a power cut would) and waits until it is gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
        // For a closer look: SANGAM_KEEP_LOGS=<folder> keeps every daemon's whole log.
        if let Some(keep) = std::env::var_os("SANGAM_KEEP_LOGS") {
            let name = self.log.to_string_lossy().replace('/', "_");
            let _ = std::fs::create_dir_all(&keep);
            let _ = std::fs::copy(&self.log, Path::new(&keep).join(name));
        }
        if std::thread::panicking() {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = text
                .lines()
                .rev()
                .take(60)
                .map(|l| l.get(..400).unwrap_or(l))
                .collect();
            eprintln!("--- last lines of {} ---", self.log.display());
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}
