//! Property test of the emulator's machine lifecycle: random sequences of actions (seeded, so a failure replays)
//! against several machines, sampling states as fast as the API answers. Every sampled step must be reachable
//! through legal transitions, destroyed is final, and a destroyed machine holds no volume.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

use std::collections::{BTreeMap, BTreeSet};

use flightdeck::api::{
    AuthToken, CreateAppRequest, CreateVolumeRequest, MachineAction, MachineFilter, MachineRequest, MachineState,
    MachinesClient, NativeTransport,
};
use flightdeck_server::ServerOptions;
use flightdeck_server::emulator::Emulator;
use flightdeck_server::emulator::machines::legal;

fn all_states() -> Vec<MachineState> {
    use MachineState::*;
    vec![Created, Starting, Started, Stopping, Stopped, Failed, Suspended, Destroying, Destroyed]
}

/// Whether `to` can follow `from` through any number of legal steps.
fn reachable(from: &MachineState, to: &MachineState) -> bool {
    let mut seen = BTreeSet::new();
    let mut frontier = vec![from.clone()];
    while let Some(state) = frontier.pop() {
        if &state == to {
            return true;
        }
        if seen.insert(state.as_str().to_owned()) {
            frontier.extend(all_states().into_iter().filter(|next| legal(&state, next)));
        }
    }
    false
}

#[test]
fn the_transition_table_has_flyds_shape() {
    use MachineState::*;
    assert!(!legal(&Created, &Started), "a machine starts through starting");
    assert!(!legal(&Destroying, &Started), "a late boot timer cannot revive a destroyed machine");
    assert!(all_states().iter().all(|to| !legal(&Destroyed, to)), "destroyed is final");
    assert!(
        all_states().iter().filter(|s| **s != Destroyed).all(|s| reachable(s, &Destroyed)),
        "everything can be destroyed"
    );
}

/// A small deterministic generator (xorshift64*), so a failing run replays exactly.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % sides
    }
}

#[tokio::test]
async fn random_action_sequences_only_ever_take_legal_steps() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let options = ServerOptions { speed: 50.0, rate_limits: false, ..ServerOptions::default() };
    let emulator = Emulator::new(Some("prop".into())).unwrap().with_speed(options.speed).without_rate_limits();
    tokio::spawn(axum::serve(listener, flightdeck_server::router(emulator, &options)).into_future());
    let api = MachinesClient::new(&base, AuthToken::new("prop").unwrap(), NativeTransport::new()).unwrap();
    api.create_app(&CreateAppRequest { name: "prop".into(), org_slug: "personal".into(), ..Default::default() })
        .await
        .unwrap();

    let mut last: BTreeMap<String, MachineState> = BTreeMap::new();
    for seed in [0x5EED_0001_u64, 0x5EED_0002, 0x5EED_0003] {
        let mut dice = Dice(seed);
        let mut ids = Vec::new();
        for i in 0..3 {
            let volume = CreateVolumeRequest {
                name: format!("v{seed:x}_{i}").replace("5eed", "s"),
                region: "ord".into(),
                ..Default::default()
            };
            let volume = api.create_volume("prop", &volume).await.unwrap();
            let mut request = MachineRequest { region: Some("ord".into()), ..MachineRequest::default() };
            request.config.image = "nginx:1.27".into();
            request.config.mounts = vec![flightdeck::machine::MachineMount {
                volume: volume.id,
                path: "/data".into(),
                ..Default::default()
            }];
            ids.push(api.create_machine("prop", &request).await.unwrap().id);
        }
        last.extend(ids.iter().map(|id| (id.clone(), MachineState::Created)));
        for step in 0..60 {
            let id = &ids[dice.roll(ids.len() as u64) as usize];
            // Refusals (412 for an action the state does not allow) are part of the game; only crashes are not.
            let _ = match dice.roll(7) {
                0 => api.machine_action("prop", id, MachineAction::Start, None).await,
                1 => api.stop_machine("prop", id, None, None, None).await,
                2 => api.machine_action("prop", id, MachineAction::Cordon, None).await,
                3 => {
                    let mut update = MachineRequest::default();
                    update.config.image = format!("nginx:1.{step}");
                    api.update_machine("prop", id, &update, None).await.map(|_| ())
                }
                4 if dice.roll(4) == 0 => api.destroy_machine("prop", id, true, None).await,
                _ => Ok(()),
            };
            tokio::time::sleep(std::time::Duration::from_millis(dice.roll(25))).await;
            let machines = api
                .list_machines("prop", &MachineFilter { include_deleted: true, ..Default::default() })
                .await
                .unwrap();
            for machine in &machines {
                let Some(before) = last.get(&machine.id).cloned() else { continue };
                let before = &before;
                assert!(
                    before == &machine.state || reachable(before, &machine.state),
                    "seed {seed:#x} step {step}: {} went {before} → {}",
                    machine.id,
                    machine.state
                );
                last.insert(machine.id.clone(), machine.state.clone());
            }
        }
        for volume in api.list_volumes("prop").await.unwrap() {
            if let Some(holder) = &volume.attached_machine_id {
                let state = &last[holder];
                assert!(
                    !matches!(state, MachineState::Destroyed),
                    "seed {seed:#x}: destroyed {holder} still holds {}",
                    volume.id
                );
            }
        }
    }
}
