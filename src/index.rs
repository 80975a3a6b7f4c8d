//! An index of documents by id that stores only positions and hashes: the ids stay in the
//! documents themselves. On millions of invoices a map from id to position holds a second
//! copy of every id (40 bytes a slot); this holds 8 bytes a slot, finds an id by comparing
//! it with the document whose hash matches, and grows without reading any document.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// A document with an id (invoices and credits).
pub trait Identified {
    fn id(&self) -> &str;
}

impl Identified for crate::model::Invoice {
    fn id(&self) -> &str {
        &self.id.0
    }
}

impl Identified for crate::model::Credit {
    fn id(&self) -> &str {
        &self.id.0
    }
}

/// Positions in one slice of documents, found by id. Every call passes that slice; a
/// position must keep its document as long as the index lives (the slice may grow).
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

    /// The position in `docs` of the indexed document with `id`.
    pub fn get<D: Identified>(&self, id: &str, docs: &[D]) -> Option<usize> {
        let (short, hash) = self.hash(id);
        (self.table)
            .find(hash, |&(at, h)| h == short && docs[at as usize].id() == id)
            .map(|&(at, _)| at as usize)
    }

    /// Indexes `docs[at]` under its id, unless the id is indexed already (the first stays)
    /// or `at` is past [`MAX_POSITION`]. Returns whether it was added.
    pub fn insert_first<D: Identified>(&mut self, docs: &[D], at: usize) -> bool {
        let Ok(position) = u32::try_from(at) else {
            return false;
        };
        let id = docs[at].id();
        let (short, hash) = self.hash(id);
        let same = |&(k, h): &(u32, u32)| h == short && docs[k as usize].id() == id;
        match self.table.entry(hash, same, |&(_, h)| spread(h)) {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert((position, short));
                true
            }
        }
    }

    /// The indexed positions, in no particular order.
    #[cfg(test)]
    fn positions(&self) -> impl Iterator<Item = u32> + '_ {
        self.table.iter().map(|&(at, _)| at)
    }
}

/// A 64-bit table hash from 32 bits: the table takes its bucket from the low bits and a
/// tag from the top 7, which a multiplication by an odd constant draws from all 32.
fn spread(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The last position an index holds (4 billion documents: more than any machine holds in
/// memory; the reader refuses more invoices).
pub const MAX_POSITION: usize = u32::MAX as usize;

#[cfg(test)]
mod tests {
    use super::*;

    impl Identified for String {
        fn id(&self) -> &str {
            self
        }
    }

    #[test]
    fn finds_each_id_at_its_first_position_across_growth() {
        let ids: Vec<String> = (0..10_000)
            .map(|k| format!("FV-{:05}", k % 7_000))
            .collect();
        let mut index = IdIndex::default();
        let added = (0..ids.len())
            .filter(|&at| index.insert_first(&ids, at))
            .count();
        assert_eq!((added, index.len()), (7_000, 7_000));
        for k in 0..7_000 {
            assert_eq!(index.get(&format!("FV-{k:05}"), &ids), Some(k));
        }
        assert_eq!(index.get("FV-07000", &ids), None);
        assert_eq!(index.get("", &ids), None);
        let mut all: Vec<u32> = index.positions().collect();
        all.sort_unstable();
        assert_eq!(all, (0..7_000).collect::<Vec<u32>>());
    }
}
