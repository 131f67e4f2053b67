//! What people see of tierbook besides the figures: shell completions and
//! the man page (SPEC 2), paper sizes, the Summary's charts and heat map,
//! page breaks and fonts (SPEC 7.2, 9 "Paper"), and `check`'s table.

use crate::util::Workdir;

fn stdout_of(w: &Workdir, args: &[&str]) -> String {
    let out = w.run(args);
    assert!(
        out.status.success(),
        "tierbook {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 on stdout")
}

#[test]
fn completions_name_every_subcommand_in_each_shell() {
    let w = Workdir::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = stdout_of(&w, &["completions", shell]);
        for sub in ["evaluate", "check", "sample", "init", "completions", "man"] {
            assert!(script.contains(sub), "{shell}: no {sub}");
        }
        assert!(script.contains("as-of"), "{shell}: no --as-of");
    }
    // An unknown shell is a usage error.
    assert_eq!(w.run(&["completions", "tcsh"]).status.code(), Some(2));
    assert!(w.files().is_empty(), "completions wrote a file");
}

#[test]
fn the_man_page_has_a_section_per_subcommand_and_the_exit_codes() {
    let w = Workdir::new();
    let page = stdout_of(&w, &["man"]);
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{page}");
    assert!(page.contains(".TH tierbook 1"), "{page}");
    for section in [
        ".SH \"TIERBOOK EVALUATE\"",
        ".SH \"TIERBOOK CHECK\"",
        ".SH \"TIERBOOK SAMPLE\"",
        ".SH \"TIERBOOK INIT\"",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(section), "no {section}");
    }
    // Every flag of evaluate is described.
    for flag in [
        "\\-\\-out",
        "\\-\\-as\\-of",
        "\\-\\-lang",
        "\\-\\-customers",
    ] {
        assert!(page.contains(flag), "no {flag}");
    }
}
