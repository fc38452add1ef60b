//! Random identifiers in the shapes Fly uses: 14–16 lowercase hex/alnum machine and app ids, request ids, tokens.

const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `len` random lowercase alphanumerics from the OS's random source.
pub fn random_id(len: usize) -> Result<String, getrandom::Error> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect())
}

/// A random number from the OS's random source, falling back to the clock (names need not be secret, only spread).
pub fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default(),
    }
}

/// An id for a server-side object, falling back to a time-derived one if the OS source fails (ids need not be
/// secret, only unique).
pub fn object_id(len: usize) -> String {
    random_id(len).unwrap_or_else(|_| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        format!("{nanos:0>width$x}", width = len).chars().rev().take(len).collect()
    })
}

/// `len` random lowercase hex digits (machine ids, lease nonces).
pub fn hex_id(len: usize) -> String {
    object_id(len).bytes().map(|b| char::from(b"0123456789abcdef"[usize::from(b) % 16])).collect()
}
