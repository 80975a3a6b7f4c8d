//! An index of documents by id that stores only positions and hashes: the ids stay in the
//! documents themselves. On millions of invoices a map from id to position holds a second
//! copy of every id (40 bytes a slot); this holds 8 bytes a slot, finds an id by comparing
//! it with the document whose hash matches, and grows without reading any document.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Positions in a slice of documents, found by id. The caller passes the id of a position
/// (`id_of`) on every call; it must answer the same for a position as long as the index
/// lives.
#[derive(Clone, Default)]
pub struct IdIndex {
    /// (position, 32 bits of the id's hash).
    table: HashTable<(u32, u32)>,
    hasher: foldhash::fast::RandomState,
}

impl IdIndex {
    pub fn with_capacity(n: usize) -> IdIndex {
        IdIndex {
            table: HashTable::with_capacity(n),
            hasher: Default::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// 32 bits of the hash of `id`, and the 64 the table works with, spread from them
    /// (so that growing needs only what is stored).
    fn hash(&self, id: &str) -> (u32, u64) {
        let short = self.hasher.hash_one(id) as u32;
        (short, spread(short))
    }

    /// The position of the document with `id`, if indexed.
    pub fn get<'d>(&self, id: &str, id_of: impl Fn(u32) -> &'d str) -> Option<u32> {
        let (short, hash) = self.hash(id);
        (self.table)
            .find(hash, |&(at, h)| h == short && id_of(at) == id)
            .map(|&(at, _)| at)
    }

    /// Indexes position `at` under `id`, unless `id` is indexed already (the first stays).
    /// Returns whether it was added.
    pub fn insert_first<'d>(&mut self, id: &str, at: u32, id_of: impl Fn(u32) -> &'d str) -> bool {
        let (short, hash) = self.hash(id);
        let same = |&(k, h): &(u32, u32)| h == short && id_of(k) == id;
        match self.table.entry(hash, same, |&(_, h)| spread(h)) {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert((at, short));
                true
            }
        }
    }

    /// The indexed positions, in no particular order.
    pub fn positions(&self) -> impl Iterator<Item = u32> + '_ {
        self.table.iter().map(|&(at, _)| at)
    }
}

/// A 64-bit table hash from 32 bits: the table takes its bucket from the low bits and a
/// tag from the top 7, which a multiplication by an odd constant draws from all 32.
fn spread(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A position as the index stores it; `None` past `u32::MAX` documents (which no machine
/// holds in memory: 4 billion rows).
pub fn position(at: usize) -> Option<u32> {
    u32::try_from(at).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_id_at_its_first_position_across_growth() {
        let ids: Vec<String> = (0..10_000)
            .map(|k| format!("FV-{:05}", k % 7_000))
            .collect();
        let id_of = |at: u32| ids[at as usize].as_str();
        let mut index = IdIndex::default();
        let added = (0..ids.len() as u32)
            .filter(|&at| index.insert_first(&ids[at as usize], at, id_of))
            .count();
        assert_eq!((added, index.len()), (7_000, 7_000));
        for k in 0..7_000u32 {
            assert_eq!(index.get(&format!("FV-{k:05}"), id_of), Some(k));
        }
        assert_eq!(index.get("FV-07000", id_of), None);
        assert_eq!(index.get("", id_of), None);
        let mut all: Vec<u32> = index.positions().collect();
        all.sort_unstable();
        assert_eq!(all, (0..7_000).collect::<Vec<u32>>());
    }
}
