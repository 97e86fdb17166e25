//! Rebuilds the crate when a migration is added (`sqlx::migrate!` embeds the folders), and
//! lists the dashboard's files for `web.rs`: every `.js` and `.css` under `web/`, so that a page
//! module added there is served without being named twice.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=web");
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    let mut names = Vec::new();
    collect(&web, "", &mut names);
    names.sort();
    let mut out = String::from("&[\n");
    for name in &names {
        let media_type = if name.ends_with(".css") { "CSS" } else { "JS" };
        let path = web.join(name);
        writeln!(
            out,
            "    Asset {{ name: {name:?}, media_type: {media_type}, content: include_str!({:?}) }},",
            path.display().to_string()
        )
        .expect("writing to a string");
    }
    out.push(']');
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("web_assets.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

/// Every `.js` and `.css` file under `dir`, named by its path from `web/` with `/` separators.
fn collect(dir: &Path, prefix: &str, names: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.expect("a readable folder");
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, &format!("{prefix}{name}/"), names);
        } else if name.ends_with(".js") || name.ends_with(".css") {
            names.push(format!("{prefix}{name}"));
        }
    }
}
