//! A long list printed as compact JSON for a script, serialized block by block on every core
//! and written in order: once a 100k-alert answer is decoded, serializing it is most of what
//! `onduty alerts --json` has left to do.

use std::io::Write;

use serde::Serialize;

/// Items serialized by one thread at a time (~0.5 MB of JSON for alerts): a round holds one
/// block per core, so memory stays bounded however long the list.
const BLOCK: usize = 512;

/// Writes `items` as `serde_json::to_writer` would, byte for byte.
pub fn write_compact<T: Serialize + Sync>(out: &mut impl Write, items: &[T]) -> anyhow::Result<()> {
    let threads = crate::work::cores::count().min(8);
    out.write_all(b"[")?;
    let mut is_first = true;
    for round in items.chunks(BLOCK * threads) {
        for block in serialized(round)? {
            if !is_first {
                out.write_all(b",")?;
            }
            out.write_all(&block)?;
            is_first = false;
        }
    }
    out.write_all(b"]")?;
    Ok(())
}

/// The blocks of `round`, serialized on every core.
fn serialized<T: Serialize + Sync>(round: &[T]) -> anyhow::Result<Vec<Vec<u8>>> {
    crate::work::cores::map_chunks(round, BLOCK, block)
        .into_iter()
        .map(|b| Ok(b.ok_or_else(|| anyhow::anyhow!("a JSON writer thread panicked"))??))
        .collect()
}

/// The items of one block, comma-separated.
fn block<T: Serialize>(items: &[T]) -> serde_json::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(items.len() * 1024);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        serde_json::to_writer(&mut buf, item)?;
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written<T: Serialize + Sync>(items: &[T]) -> Vec<u8> {
        let mut out = Vec::new();
        write_compact(&mut out, items).unwrap();
        out
    }

    #[test]
    fn the_list_reads_as_serde_json_writes_it_whatever_its_length() {
        let alerts: Vec<_> = crate::testing::estate_alerts(3 * BLOCK * 8 + 7, 2)
            .into_iter()
            .flatten()
            .collect();
        for n in [
            0,
            1,
            2,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            2 * BLOCK + 3,
            alerts.len(),
        ] {
            let items = &alerts[..n];
            assert_eq!(
                written(items),
                serde_json::to_vec(items).unwrap(),
                "{n} alerts"
            );
        }
    }
}
