//! Compares the size and every field offset of the structs in `iptkit-sys`
//! with the C headers installed on this machine (Debian's `linux-libc-dev`).
//!
//! The test writes a C program that prints `sizeof` and `offsetof` for each
//! struct, compiles it with the system C compiler, runs it and compares its
//! output with `size_of`/`offset_of!` on the Rust side. A missing compiler or
//! header fails the test with a message that says so.

use std::fmt::Write as _;
use std::process::Command;

/// One struct: its C name, its Rust size, and (C member, Rust offset) pairs.
struct Layout {
    c_type: &'static str,
    size: usize,
    fields: Vec<(&'static str, usize)>,
}

/// `layout!(rust_type, "struct c_type", field, field => "c.member", ...)`
#[macro_export]
macro_rules! layout {
    ($t:ty, $c:expr $(, $f:ident $(=> $cf:expr)?)* $(,)?) => {
        Layout {
            c_type: $c,
            size: ::std::mem::size_of::<$t>(),
            fields: vec![$( (layout!(@c $f $(, $cf)?), ::std::mem::offset_of!($t, $f)) ),*],
        }
    };
    (@c $f:ident) => { stringify!($f) };
    (@c $f:ident, $cf:expr) => { $cf };
}

/// Every struct, from the per-area lists in `layouts/`.
fn layouts() -> Vec<Layout> {
    let mut v = layouts::core::layouts();
    v.extend(layouts::matches_a::layouts());
    v.extend(layouts::matches_b::layouts());
    v.extend(layouts::targets::layouts());
    v.extend(layouts::matches_e::layouts());
    v.extend(layouts::matches_f::layouts());
    v.extend(layouts::matches_g::layouts());
    v.extend(layouts::targets_h::layouts());
    v
}

/// Every header, from the per-area lists in `layouts/`.
fn headers() -> Vec<&'static str> {
    let mut v = layouts::core::HEADERS.to_vec();
    v.extend_from_slice(layouts::matches_a::HEADERS);
    v.extend_from_slice(layouts::matches_b::HEADERS);
    v.extend_from_slice(layouts::targets::HEADERS);
    v.extend_from_slice(layouts::matches_e::HEADERS);
    v.extend_from_slice(layouts::matches_f::HEADERS);
    v.extend_from_slice(layouts::matches_g::HEADERS);
    v.extend_from_slice(layouts::targets_h::HEADERS);
    v
}

mod layouts {
    pub mod core;
    pub mod matches_a;
    pub mod matches_b;
    pub mod matches_e;
    pub mod matches_f;
    pub mod matches_g;
    pub mod targets;
    pub mod targets_h;
}

/// The C program: one line per struct, `name size off off ...`.
fn c_program(layouts: &[Layout]) -> String {
    let mut src = String::new();
    for h in headers() {
        writeln!(src, "#include <{h}>").unwrap();
    }
    src.push_str("#include <stdio.h>\n#include <stddef.h>\nint main(void) {\n");
    for l in layouts {
        write!(
            src,
            "  printf(\"%s %zu\", \"{}\", sizeof({}));",
            l.c_type, l.c_type
        )
        .unwrap();
        for (f, _) in &l.fields {
            write!(src, " printf(\" %zu\", offsetof({}, {}));", l.c_type, f).unwrap();
        }
        src.push_str(" printf(\"\\n\");\n");
    }
    src.push_str("  return 0;\n}\n");
    src
}

#[test]
fn struct_layouts_match_the_c_headers() {
    let layouts = layouts();
    let dir = std::env::temp_dir().join(format!("iptkit-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let c = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&c, c_program(&layouts)).unwrap();
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
    let text = String::from_utf8(run.stdout).unwrap();
    let mut lines = text.lines();
    let mut bad = Vec::new();
    for l in &layouts {
        let line = lines.next().expect("one line per struct");
        let mut words = line.split(' ');
        let mut name = words.next().unwrap().to_string();
        if name == "struct" {
            name = format!("struct {}", words.next().unwrap());
        }
        assert_eq!(name, l.c_type);
        let nums: Vec<usize> = words.map(|w| w.parse().unwrap()).collect();
        if nums[0] != l.size {
            bad.push(format!("{}: size C {} Rust {}", l.c_type, nums[0], l.size));
        }
        for ((field, off), c_off) in l.fields.iter().zip(&nums[1..]) {
            if off != c_off {
                bad.push(format!(
                    "{}.{}: offset C {} Rust {}",
                    l.c_type, field, c_off, off
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        bad.is_empty(),
        "layouts differ from the C headers:\n{}",
        bad.join("\n")
    );
}
