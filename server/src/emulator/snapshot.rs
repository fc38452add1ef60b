//! `--state FILE`: the emulator's apps, machines, volumes and secrets (digests) saved to disk and loaded at start.
//! Writes are atomic (a temporary file renamed over the old one), so a crash mid-write never leaves half a file.
//! Tokens are not saved: each start has its own (`FLY_API_TOKEN` keeps one stable).

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use flightdeck::api::MachineState;
use serde::{Deserialize, Serialize};

use super::machines::MachineRecord;
use super::volumes::VolumeRecord;
use super::{AppRecord, Emulator, PoisonError};

/// What is saved. Versioned so a later format can still read older files.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    orgs: BTreeMap<String, String>,
    apps: BTreeMap<String, AppRecord>,
    machines: BTreeMap<String, MachineRecord>,
    volumes: BTreeMap<String, VolumeRecord>,
}

const FORMAT: u32 = 1;

impl Emulator {
    /// The state as the JSON the state file holds.
    pub fn snapshot(&self) -> io::Result<String> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let snapshot = Snapshot {
            version: FORMAT,
            orgs: state.orgs.clone(),
            apps: state.apps.clone(),
            machines: state.machines.clone(),
            volumes: state.volumes.clone(),
        };
        serde_json::to_string(&snapshot).map_err(io::Error::other)
    }

    /// Writes the state to `path` atomically.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        write_snapshot(path, &self.snapshot()?)
    }

    /// Loads `path` if it exists. Machines caught between states settle where their timers would have taken them
    /// (starting → started, stopping → stopped, destroying → destroyed): timers do not survive a restart.
    pub fn load(&self, path: &Path) -> io::Result<bool> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(error),
        };
        let snapshot: Snapshot = serde_json::from_str(&text)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", path.display())))?;
        if snapshot.version > FORMAT {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: written by a newer flightdeck-server", path.display()),
            ));
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.orgs.extend(snapshot.orgs);
        state.apps = snapshot.apps;
        state.volumes = snapshot.volumes;
        state.machines = snapshot.machines;
        for record in state.machines.values_mut() {
            let machine = &mut record.machine;
            machine.state = match &machine.state {
                MachineState::Starting | MachineState::Replacing => MachineState::Started,
                MachineState::Stopping | MachineState::Suspending => MachineState::Stopped,
                MachineState::Destroying => MachineState::Destroyed,
                other => other.clone(),
            };
        }
        Ok(true)
    }
}

/// Writes a snapshot atomically: a temporary file beside `path`, renamed over it.
pub fn write_snapshot(path: &Path, text: &str) -> io::Result<()> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_a_fresh_start_and_garbage_is_an_error() {
        let dir = std::env::temp_dir().join(format!("flightdeck-snapshot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let emulator = Emulator::new(None).unwrap();
        assert!(!emulator.load(&dir.join("none.json")).unwrap());
        std::fs::write(dir.join("bad.json"), "{not json").unwrap();
        assert_eq!(emulator.load(&dir.join("bad.json")).unwrap_err().kind(), io::ErrorKind::InvalidData);
        std::fs::remove_dir_all(dir).ok();
    }
}
