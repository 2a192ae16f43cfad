//! `sangam service`: a hub that runs for months on a laptop that reboots. Writes a systemd unit
//! that starts `sangam run` for this data folder, restarts it when it fails, and hands it the
//! passphrase as a systemd credential (never on a command line); enables and starts it with
//! `systemctl`. Without systemd the unit is still written and the user is told plainly.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, anyhow};

use sangam_node::datadir::DataDir;

/// The unit's file name.
pub const UNIT: &str = "sangam.service";

/// Where a unit goes and how systemd is asked about it.
#[derive(Clone, Debug)]
pub struct Place {
    /// The folder the unit file is written to.
    pub dir: PathBuf,
    /// A user unit (`systemctl --user`), else a system one.
    pub user: bool,
    /// Whether to run `systemctl` (off for tests and for writing the unit only).
    pub start: bool,
}

impl Place {
    /// The default place: `~/.config/systemd/user` for a user unit, `/etc/systemd/system` for
    /// a system one; `dir` overrides it.
    pub fn new(system: bool, dir: Option<PathBuf>, start: bool) -> Result<Place> {
        let dir = match dir {
            Some(dir) => dir,
            None if system => PathBuf::from("/etc/systemd/system"),
            None => directories::BaseDirs::new()
                .map(|b| b.config_dir().join("systemd").join("user"))
                .ok_or_else(|| anyhow!("no home folder was found; pass --unit-dir DIR"))?,
        };
        Ok(Place {
            dir,
            user: !system,
            start,
        })
    }

    fn unit_path(&self) -> PathBuf {
        self.dir.join(UNIT)
    }

    /// Runs `systemctl [--user] args…`; `Ok(false)` if systemd is not there.
    fn systemctl(&self, args: &[&str]) -> Result<bool> {
        if !self.start {
            return Ok(false);
        }
        let mut command = Command::new("systemctl");
        if self.user {
            command.arg("--user");
        }
        match command.args(args).status() {
            Ok(status) if status.success() => Ok(true),
            Ok(_) => Err(anyhow!("`systemctl {}` did not succeed", args.join(" "))),
            Err(_) => Ok(false),
        }
    }
}

/// The unit text for running `program` on `dir`, with the passphrase from `passphrase` (a file
/// systemd reads and hands over as the credential `sangam-passphrase`) if the folder has one.
pub fn unit_text(program: &Path, dir: &Path, passphrase: Option<&Path>, user: bool) -> String {
    let credential = passphrase
        .map(|file| format!("LoadCredential=sangam-passphrase:{}\n", file.display()))
        .unwrap_or_default();
    let target = if user {
        "default.target"
    } else {
        "multi-user.target"
    };
    format!(
        "# Written by `sangam service install`; remove with `sangam service uninstall`.\n\
         [Unit]\n\
         Description=Sangam node ({dir})\n\
         After=network-online.target\n\
         Wants=network-online.target\n\
         \n\
         [Service]\n\
         ExecStart={program} --data-dir {dir} run\n\
         Restart=on-failure\n\
         RestartSec=10\n\
         {credential}\
         # Logs go to the journal; they hold no message text, names or addresses.\n\
         Environment=SANGAM_LOG=warn,sangam_node=info\n\
         NoNewPrivileges=yes\n\
         PrivateTmp=yes\n\
         UMask=0077\n\
         \n\
         [Install]\n\
         WantedBy={target}\n",
        dir = dir.display(),
        program = program.display(),
    )
}

/// `sangam service install`.
pub fn install(data: &DataDir, place: &Place, passphrase: Option<&Path>) -> Result<()> {
    if !data.is_initialised() {
        return Err(anyhow!(
            "this node is not set up yet: run `sangam init` and join or found a network first"
        ));
    }
    if data.has_passphrase() && passphrase.is_none() {
        return Err(anyhow!(
            "this folder has a passphrase: put it in a file only this account can read and \
             pass --passphrase-file FILE, so the service can unlock it at boot"
        ));
    }
    let program = std::env::current_exe().context("cannot tell where the sangam program is")?;
    let root = std::fs::canonicalize(data.root()).unwrap_or_else(|_| data.root().to_path_buf());
    let passphrase =
        passphrase.map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()));
    let text = unit_text(&program, &root, passphrase.as_deref(), place.user);
    std::fs::create_dir_all(&place.dir)
        .with_context(|| format!("cannot create {}", place.dir.display()))?;
    std::fs::write(place.unit_path(), text)
        .with_context(|| format!("cannot write {}", place.unit_path().display()))?;
    println!("Wrote {}.", place.unit_path().display());
    if !place.start {
        return Ok(());
    }
    if place.systemctl(&["daemon-reload"])? && place.systemctl(&["enable", "--now", UNIT])? {
        println!(
            "The node now starts at boot and restarts if it stops. `sangam service status` \
             tells whether it runs."
        );
        if place.user {
            println!(
                "A user service runs only while this account is logged in, unless \
                 `loginctl enable-linger $USER` was run once (see the README)."
            );
        }
    } else {
        println!(
            "systemd was not found on this computer: start `sangam run` another way (the unit \
             file above shows the command)."
        );
    }
    Ok(())
}

/// `sangam service status`.
pub fn status(place: &Place) -> Result<()> {
    if !place.unit_path().exists() {
        println!(
            "No Sangam service is installed here ({}).",
            place.unit_path().display()
        );
        return Ok(());
    }
    println!("Installed: {}", place.unit_path().display());
    if !place
        .systemctl(&["is-active", "--quiet", UNIT])
        .unwrap_or(false)
    {
        println!(
            "It is not running now (`journalctl{} -u sangam` shows why).",
            if place.user { " --user" } else { "" }
        );
    } else {
        println!("It is running.");
    }
    Ok(())
}

/// `sangam service uninstall`.
pub fn uninstall(place: &Place) -> Result<()> {
    if !place.unit_path().exists() {
        println!(
            "No Sangam service is installed here ({}).",
            place.unit_path().display()
        );
        return Ok(());
    }
    let _ = place.systemctl(&["disable", "--now", UNIT]);
    std::fs::remove_file(place.unit_path())
        .with_context(|| format!("cannot remove {}", place.unit_path().display()))?;
    let _ = place.systemctl(&["daemon-reload"]);
    println!(
        "Removed {}; the node no longer starts at boot.",
        place.unit_path().display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_restarts_the_node_and_hands_it_the_passphrase_as_a_credential() {
        let text = unit_text(
            Path::new("/usr/local/bin/sangam"),
            Path::new("/var/lib/sangam"),
            Some(Path::new("/etc/sangam/passphrase")),
            false,
        );
        assert!(text.contains("ExecStart=/usr/local/bin/sangam --data-dir /var/lib/sangam run\n"));
        assert!(text.contains("Restart=on-failure\n"));
        assert!(text.contains("LoadCredential=sangam-passphrase:/etc/sangam/passphrase\n"));
        assert!(text.contains("WantedBy=multi-user.target\n"));
        assert!(!text.contains("passphrase-file"), "never on a command line");
        let user = unit_text(Path::new("/s"), Path::new("/d"), None, true);
        assert!(user.contains("WantedBy=default.target\n"));
        assert!(!user.contains("LoadCredential"));
    }
}
