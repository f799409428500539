//! Identifiers: UUID-shaped ids and short codes from a (possibly seeded) random generator.

/// A source of ids. Seeded, it yields the same sequence every time.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    rng: fastrand::Rng,
}

impl Ids {
    /// Ids from `seed` (reproducible), or from a random seed.
    pub(crate) fn new(seed: Option<u64>) -> Self {
        Self {
            rng: seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed),
        }
    }

    /// A random version 4 UUID, lowercase and hyphenated.
    pub(crate) fn uuid(&mut self) -> String {
        format_uuid(&uuid_v4_bytes(&mut self.rng))
    }

    /// `len` random ASCII letters and digits.
    pub(crate) fn code(&mut self, len: usize) -> String {
        (0..len).map(|_| self.rng.alphanumeric()).collect()
    }
}

/// 16 random bytes with the UUID version 4 and RFC 4122 variant bits set.
pub(crate) fn uuid_v4_bytes(rng: &mut fastrand::Rng) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bytes
}

fn format_uuid(bytes: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4_and_reproducible() {
        let a = Ids::new(Some(7)).uuid();
        assert_eq!(a, Ids::new(Some(7)).uuid());
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }
}
