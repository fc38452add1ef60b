//! Machine sizes: flyctl's presets (fly-go `MachinePresets`) and the CPU and memory rules per CPU kind.
//! Shared by fly.toml validation, machine configs and `scale vm`.

pub use crate::machine::Guest;

/// A named size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    pub cpu_kind: &'static str,
    pub cpus: u32,
    pub memory_mb: u32,
    pub gpu_kind: Option<&'static str>,
}

const fn preset(name: &'static str, cpu_kind: &'static str, cpus: u32, memory_mb: u32) -> Preset {
    Preset { name, cpu_kind, cpus, memory_mb, gpu_kind: None }
}

const fn gpu(name: &'static str, gpu_kind: &'static str) -> Preset {
    Preset { name, cpu_kind: "performance", cpus: 8, memory_mb: 32768, gpu_kind: Some(gpu_kind) }
}

/// Every preset flyctl knows, smallest first within each family.
pub const PRESETS: &[Preset] = &[
    preset("shared-cpu-1x", "shared", 1, 256),
    preset("shared-cpu-2x", "shared", 2, 512),
    preset("shared-cpu-4x", "shared", 4, 1024),
    preset("shared-cpu-6x", "shared", 6, 1536),
    preset("shared-cpu-8x", "shared", 8, 2048),
    preset("performance-1x", "performance", 1, 2048),
    preset("performance-2x", "performance", 2, 4096),
    preset("performance-4x", "performance", 4, 8192),
    preset("performance-6x", "performance", 6, 12288),
    preset("performance-8x", "performance", 8, 16384),
    preset("performance-10x", "performance", 10, 20480),
    preset("performance-12x", "performance", 12, 24576),
    preset("performance-14x", "performance", 14, 28672),
    preset("performance-16x", "performance", 16, 32768),
    gpu("a10", "a10"),
    gpu("l40s", "l40s"),
    gpu("a100-40gb", "a100-pcie-40gb"),
    gpu("a100-80gb", "a100-sxm4-80gb"),
];

/// `shared-cpu-1x`: what a machine gets when nothing says otherwise.
pub const DEFAULT_PRESET: &str = "shared-cpu-1x";
/// `performance-8x`: the starting point when a GPU kind is given.
pub const DEFAULT_GPU_PRESET: &str = "performance-8x";

/// The preset called `name`.
pub fn preset_named(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

impl From<&Preset> for Guest {
    fn from(preset: &Preset) -> Self {
        Guest {
            cpu_kind: preset.cpu_kind.to_owned(),
            cpus: preset.cpus,
            memory_mb: preset.memory_mb,
            gpus: preset.gpu_kind.map(|_| 1),
            gpu_kind: preset.gpu_kind.map(str::to_owned),
            ..Guest::default()
        }
    }
}

/// Why a guest is not a size Fly can run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GuestError {
    #[error("unknown CPU kind {0:?}: use \"shared\" or \"performance\"")]
    CpuKind(String),
    #[error("{cpus} {kind} CPUs is not a size Fly offers: use one of {valid}")]
    Cpus { kind: String, cpus: u32, valid: String },
    #[error("{memory_mb} MB is too little memory for {cpus} {kind} CPU(s): the minimum is {min} MB")]
    MemoryTooLow { kind: String, cpus: u32, memory_mb: u32, min: u32 },
    #[error("{memory_mb} MB is too much memory for {cpus} {kind} CPU(s): the maximum is {max} MB")]
    MemoryTooHigh { kind: String, cpus: u32, memory_mb: u32, max: u32 },
    #[error("{memory_mb} MB is not a multiple of {increment} MB, which {kind} CPUs require")]
    MemoryIncrement { kind: String, memory_mb: u32, increment: u32 },
}

/// CPU counts and memory bounds per kind, as flyctl enforces them.
fn limits(kind: &str) -> Option<(&'static [u32], u32, u32, u32)> {
    match kind {
        // (valid cpu counts, min MB per cpu, max MB per cpu, increment MB)
        "shared" => Some((&[1, 2, 4, 6, 8], 256, 2048, 256)),
        "performance" => Some((&[1, 2, 4, 6, 8, 10, 12, 14, 16, 32, 64, 128], 2048, 8192, 1024)),
        _ => None,
    }
}

impl Guest {
    /// What a machine runs on when nothing says otherwise: [`DEFAULT_PRESET`].
    pub fn platform_default() -> Guest {
        preset_named(DEFAULT_PRESET).map(Guest::from).unwrap_or_default()
    }

    /// The size as people name it, with the memory: `shared-cpu-2x, 1024 MB`, `a100-40gb, 32768 MB`. The name
    /// comes from the CPU kind and count (or the GPU kind), as flyctl names sizes, whatever the memory.
    pub fn size_label(&self) -> String {
        let gpu = self.gpu_kind.as_deref().and_then(|kind| PRESETS.iter().find(|p| p.gpu_kind == Some(kind)));
        let name = match (gpu, self.cpu_kind.as_str()) {
            (Some(preset), _) => preset.name.to_owned(),
            (None, "shared") => format!("shared-cpu-{}x", self.cpus),
            (None, "performance") => format!("performance-{}x", self.cpus),
            (None, kind) => format!("{} {kind} CPUs", self.cpus),
        };
        format!("{name}, {} MB", self.memory_mb)
    }

    /// Checks CPU kind, CPU count and memory against Fly's limits (machines-api.md §6).
    pub fn check(&self) -> Result<(), GuestError> {
        let kind = self.cpu_kind.as_str();
        let (cpus, min, max, increment) = limits(kind).ok_or_else(|| GuestError::CpuKind(kind.to_owned()))?;
        if !cpus.contains(&self.cpus) {
            let valid = cpus.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
            return Err(GuestError::Cpus { kind: kind.to_owned(), cpus: self.cpus, valid });
        }
        let (min, max) = (min * self.cpus, max * self.cpus);
        let (memory_mb, cpus) = (self.memory_mb, self.cpus);
        if memory_mb < min {
            return Err(GuestError::MemoryTooLow { kind: kind.to_owned(), cpus, memory_mb, min });
        }
        if memory_mb > max {
            return Err(GuestError::MemoryTooHigh { kind: kind.to_owned(), cpus, memory_mb, max });
        }
        if memory_mb % increment != 0 {
            return Err(GuestError::MemoryIncrement { kind: kind.to_owned(), memory_mb, increment });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest(kind: &str, cpus: u32, memory_mb: u32) -> Guest {
        Guest { cpu_kind: kind.into(), cpus, memory_mb, ..Guest::default() }
    }

    #[test]
    fn every_cpu_preset_is_a_valid_guest() {
        for preset in PRESETS.iter().filter(|p| p.gpu_kind.is_none()) {
            assert_eq!(Guest::from(preset).check(), Ok(()), "{}", preset.name);
        }
    }

    #[test]
    fn sizes_are_named_by_cpus_or_gpu_with_their_memory() {
        assert_eq!(guest("shared", 1, 256).size_label(), "shared-cpu-1x, 256 MB");
        assert_eq!(guest("shared", 2, 2048).size_label(), "shared-cpu-2x, 2048 MB");
        assert_eq!(guest("performance", 4, 8192).size_label(), "performance-4x, 8192 MB");
        assert_eq!(Guest::from(preset_named("a100-40gb").unwrap()).size_label(), "a100-40gb, 32768 MB");
        assert_eq!(guest("turbo", 3, 512).size_label(), "3 turbo CPUs, 512 MB");
    }

    #[test]
    fn memory_limits_scale_with_cpus() {
        assert_eq!(guest("shared", 4, 8192).check(), Ok(()));
        assert!(matches!(guest("shared", 4, 8448).check(), Err(GuestError::MemoryTooHigh { max: 8192, .. })));
        assert!(matches!(guest("shared", 2, 256).check(), Err(GuestError::MemoryTooLow { min: 512, .. })));
        assert!(matches!(guest("shared", 1, 300).check(), Err(GuestError::MemoryIncrement { increment: 256, .. })));
        assert_eq!(guest("performance", 4, 32768).check(), Ok(()));
        assert!(matches!(guest("performance", 1, 1024).check(), Err(GuestError::MemoryTooLow { .. })));
        assert!(matches!(guest("shared", 3, 768).check(), Err(GuestError::Cpus { .. })));
        assert!(matches!(guest("turbo", 1, 256).check(), Err(GuestError::CpuKind(_))));
    }
}
