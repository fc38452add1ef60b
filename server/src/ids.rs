//! Random identifiers in the shapes Fly uses: 14–16 lowercase hex/alnum machine and app ids, tokens, and ULIDs
//! (machine versions, instance ids, event ids, request ids).

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

/// A ULID, as Fly's machine versions, instance ids, event ids and request ids are: 26 characters of Crockford's
/// base32, the Unix time in milliseconds (48 bits) and then 80 random bits, so ids made later sort later.
pub fn ulid() -> String {
    const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let millis =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default()
            & ((1 << 48) - 1);
    let random = ((u128::from(random_u64()) << 16) | u128::from(random_u64() & 0xffff)) & ((1 << 80) - 1);
    let value = (millis << 80) | random;
    (0..26).rev().map(|i| char::from(CROCKFORD[((value >> (i * 5)) & 31) as usize])).collect()
}

/// `len` random lowercase hex digits (machine ids, lease nonces).
pub fn hex_id(len: usize) -> String {
    object_id(len).bytes().map(|b| char::from(b"0123456789abcdef"[usize::from(b) % 16])).collect()
}

#[cfg(test)]
mod tests {
    use super::ulid;

    /// The time a ULID carries, in milliseconds.
    fn millis(id: &str) -> u128 {
        id[..10].bytes().fold(0, |n, c| {
            (n << 5) | b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".iter().position(|&d| d == c).unwrap_or(99) as u128
        })
    }

    #[test]
    fn ulids_are_crockford_base32_carry_the_time_and_sort_by_it() {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis();
        let first = ulid();
        assert_eq!(first.len(), 26);
        assert!(first.bytes().all(|c| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&c)), "{first}");
        assert!(first.as_str() <= "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
        assert!(millis(&first).abs_diff(now) < 5_000, "{first} carries {} for {now}", millis(&first));
        std::thread::sleep(std::time::Duration::from_millis(3));
        let later = ulid();
        assert!(later > first, "{later} after {first}");
        assert_ne!(ulid()[10..], ulid()[10..], "80 random bits");
    }
}
