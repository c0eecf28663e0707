//! Rebuilds when a journal migration is added or changed: `sqlx::migrate!` embeds them, and
//! cargo does not otherwise know to look there (as sqlx's own documentation advises).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
