//! An index of documents by id that stores only positions: the ids stay in the documents
//! themselves. On millions of invoices a map from id to position holds a second copy of
//! every id (40 bytes a slot); this holds 4 bytes a slot and finds an id by comparing it
//! with the document at the position the hash leads to.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Positions in a slice of documents, found by id. The caller passes the id of a position
/// (`id_of`) on every call; it must answer the same for a position as long as the index
/// lives.
#[derive(Clone, Default)]
pub struct IdIndex {
    table: HashTable<u32>,
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

    /// The position of the document with `id`, if indexed.
    pub fn get<'d>(&self, id: &str, id_of: impl Fn(u32) -> &'d str) -> Option<u32> {
        let hash = self.hasher.hash_one(id);
        self.table.find(hash, |&at| id_of(at) == id).copied()
    }

    /// Indexes position `at` under `id`, unless `id` is indexed already (the first stays).
    /// Returns whether it was added.
    pub fn insert_first<'d>(&mut self, id: &str, at: u32, id_of: impl Fn(u32) -> &'d str) -> bool {
        let hasher = &self.hasher;
        let hash = hasher.hash_one(id);
        match self
            .table
            .entry(hash, |&k| id_of(k) == id, |&k| hasher.hash_one(id_of(k)))
        {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(at);
                true
            }
        }
    }

    /// The indexed positions, in no particular order.
    pub fn positions(&self) -> impl Iterator<Item = u32> + '_ {
        self.table.iter().copied()
    }
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
