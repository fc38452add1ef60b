//! Random identifiers in the shapes Fly uses: 14–16 lowercase hex/alnum machine and app ids, request ids, tokens.

const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `len` random lowercase alphanumerics from the OS's random source.
pub fn random_id(len: usize) -> Result<String, getrandom::Error> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect())
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
