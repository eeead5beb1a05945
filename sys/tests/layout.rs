//! Compares every layout row of the crate (`iptkit_sys::all_layouts`) with
//! the C headers installed on this machine (Debian's `linux-libc-dev`), and
//! checks that every `#[repr(C)]` struct of the sources has a row.
//!
//! The header rows become a C program that prints `sizeof` and `offsetof`
//! for each type; it is compiled with the system C compiler and run, and its
//! output is compared with `size_of`/`offset_of!` on the Rust side. A missing
//! compiler or header fails the test with a message that says so.

use iptkit_sys::{all_layouts, Layout, Source, HEADERS};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// The C program: one line per header row, `size off off ...`.
fn c_program(rows: &[&Layout]) -> String {
    let mut src = String::new();
    for h in HEADERS {
        writeln!(src, "#include <{h}>").unwrap();
    }
    src.push_str("#include <stdio.h>\n#include <stddef.h>\nint main(void) {\n");
    for row in rows {
        let Source::Header(c_type) = row.source else {
            unreachable!("only header rows are compiled")
        };
        write!(src, "  printf(\"%zu\", sizeof({c_type}));").unwrap();
        for (member, _) in row.fields {
            write!(src, " printf(\" %zu\", offsetof({c_type}, {member}));").unwrap();
        }
        src.push_str(" printf(\"\\n\");\n");
    }
    src.push_str("  return 0;\n}\n");
    src
}

/// Runs the C program and returns one line of numbers per row.
fn c_layouts(rows: &[&Layout]) -> Vec<Vec<usize>> {
    let dir = std::env::temp_dir().join(format!("iptkit-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let c = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&c, c_program(rows)).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .arg(&c)
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("the layout test needs a C compiler ({cc}): {e}"));
    assert!(
        out.status.success(),
        "compiling the C side failed (are linux-libc-dev and gcc installed?):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe)
        .output()
        .expect("running the C layout program");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split(' ').map(|w| w.parse().unwrap()).collect())
        .collect()
}

/// The differences between one row and what it must equal.
fn differences(row: &Layout, size: usize, offsets: &[usize]) -> Vec<String> {
    let name = match row.source {
        Source::Header(c) => c,
        Source::Fixed { .. } => row.rust_type,
    };
    let mut bad = Vec::new();
    if size != row.size {
        bad.push(format!("{name}: size C {size} Rust {}", row.size));
    }
    assert_eq!(
        offsets.len(),
        row.fields.len(),
        "{name}: one offset per member"
    );
    for ((member, off), c_off) in row.fields.iter().zip(offsets) {
        if off != c_off {
            bad.push(format!("{name}.{member}: offset C {c_off} Rust {off}"));
        }
    }
    bad
}

#[test]
fn struct_layouts_match_the_c_headers() {
    let rows: Vec<&Layout> = all_layouts().collect();
    let (header, fixed): (Vec<&Layout>, Vec<&Layout>) = rows
        .iter()
        .partition(|r| matches!(r.source, Source::Header(_)));
    let c = c_layouts(&header);
    assert_eq!(c.len(), header.len(), "one line of the C program per row");
    let mut bad = Vec::new();
    for (row, nums) in header.iter().zip(&c) {
        bad.extend(differences(row, nums[0], &nums[1..]));
    }
    for row in fixed {
        let Source::Fixed { size, offsets } = row.source else {
            unreachable!()
        };
        bad.extend(differences(row, size, offsets));
    }
    assert!(
        bad.is_empty(),
        "layouts differ from the C headers:\n{}",
        bad.join("\n")
    );
}

/// Every `#[repr(C)]` line of the sources, by the file it is in.
fn repr_c_structs(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            repr_c_structs(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut lines = text.lines().map(str::trim);
            while let Some(line) = lines.next() {
                if line.starts_with("#[repr(C") {
                    // The struct's name is on the first line that is not an attribute.
                    let def = lines.find(|l| !l.starts_with("#[")).unwrap_or_default();
                    found.push(def.to_string());
                }
            }
        }
    }
}

#[test]
fn every_repr_c_struct_has_a_layout_row() {
    let mut structs = Vec::new();
    repr_c_structs(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut structs,
    );
    let rows: Vec<&str> = all_layouts().map(|r| r.rust_type).collect();
    let missing: Vec<&String> = structs
        .iter()
        .filter(|def| {
            let name = def
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .skip_while(|w| *w != "struct" && *w != "union")
                .nth(1)
                .unwrap_or_default();
            !rows.contains(&name)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "#[repr(C)] structs without a layout row (add them to their module's layouts!):\n{missing:#?}"
    );
    // A guard on the scan itself: it must have found the structs.
    assert!(
        structs.len() >= 160,
        "found only {} #[repr(C)] structs",
        structs.len()
    );
}
