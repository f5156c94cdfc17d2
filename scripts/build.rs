//! Cargo build script: link libpcap statically, without its D-Bus capture module, when the
//! system's `libpcap.a` needs nothing else.
//!
//! Debian's libpcap.so pulls in libdbus-1, and through it libsystemd, libgcrypt, liblzma,
//! libzstd, liblz4, libcap and libgpg-error: ten shared libraries whose loading and relocation
//! cost every run of pkt about half a millisecond and 80 page faults, more than a whole
//! `pkt --version` of pkt's own work. Only libpcap's D-Bus module (capturing D-Bus messages on
//! the `dbus-system`/`dbus-session` pseudo-devices) needs them. Linked from `libpcap.a`, with
//! that module's two entry points defined by pkt (`src/io/nodbus.rs`: no D-Bus devices), the
//! module and its libraries stay out.
//!
//! Static linking is chosen when `pkg-config --static --libs libpcap` names no library besides
//! pcap, dbus-1 and systemd, and `libpcap.a` is in pkg-config's libdir. Otherwise, or with
//! `PKT_PCAP_DYNAMIC=1`, nothing changes: the pcap crate links libpcap.so as before.
//! The `pkt_static_pcap` cfg tells the crate which one happened.
//!
//! The same goes for the unwinder: Rust's standard library loads libgcc_s.so for it, whose
//! start-up code probes the CPU with `cpuid` (a trap to the hypervisor in a VM: ~0.2 ms per
//! run here). GCC's static unwinder, `libgcc_eh.a` (what `gcc -static-libgcc` links), provides
//! the same `_Unwind_*` functions inside the binary when the C compiler has it; the
//! `pkt_static_unwind` cfg says so.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=scripts/build.rs");
    println!("cargo:rerun-if-env-changed=PKT_PCAP_DYNAMIC");
    println!("cargo:rerun-if-env-changed=LIBPCAP_LIBDIR");
    println!("cargo:rerun-if-env-changed=CC");
    println!("cargo:rustc-check-cfg=cfg(pkt_static_pcap)");
    match static_libdir() {
        Ok(dir) => {
            println!("cargo:rustc-link-search=native={dir}");
            println!("cargo:rustc-link-lib=static=pcap");
            println!("cargo:rustc-cfg=pkt_static_pcap");
        }
        Err(why) => println!("cargo:warning=linking libpcap dynamically: {why}"),
    }
    println!("cargo:rustc-check-cfg=cfg(pkt_static_unwind)");
    if let Some(dir) = gcc_eh_dir() {
        println!("cargo:rustc-link-search=native={dir}");
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
        println!("cargo:rustc-cfg=pkt_static_unwind");
    }
}

/// The directory of the C compiler's `libgcc_eh.a`, on Linux with glibc (where Rust links
/// libgcc_s), unless PKT_PCAP_DYNAMIC asks for the plain link.
fn gcc_eh_dir() -> Option<String> {
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").ok()? == "linux"
        && std::env::var("CARGO_CFG_TARGET_ENV").ok()? == "gnu";
    if !linux_gnu || std::env::var_os("PKT_PCAP_DYNAMIC").is_some_and(|v| v != "0") {
        return None;
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // Without the file, the compiler prints the bare name back.
    let p = Path::new(&path);
    if !out.status.success() || !p.is_absolute() || !p.is_file() {
        return None;
    }
    Some(p.parent()?.to_string_lossy().into_owned())
}

/// The directory holding a `libpcap.a` pkt can link, or why not.
fn static_libdir() -> Result<String, String> {
    if std::env::var_os("PKT_PCAP_DYNAMIC").is_some_and(|v| v != "0") {
        return Err("PKT_PCAP_DYNAMIC is set".into());
    }
    if std::env::var_os("LIBPCAP_LIBDIR").is_some() {
        return Err("LIBPCAP_LIBDIR chooses the library".into());
    }
    let pc = |args: &[&str]| -> Result<String, String> {
        let out = Command::new("pkg-config")
            .args(args)
            .arg("libpcap")
            .output()
            .map_err(|e| format!("pkg-config: {e}"))?;
        if !out.status.success() {
            return Err(format!("pkg-config {}: failed", args.join(" ")));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let libs = pc(&["--static", "--libs-only-l"])?;
    let other: Vec<&str> = libs
        .split_whitespace()
        .filter(|l| !matches!(*l, "-lpcap" | "-ldbus-1" | "-lsystemd"))
        .collect();
    if !other.is_empty() {
        return Err(format!("libpcap.a also needs {}", other.join(" ")));
    }
    let dir = pc(&["--variable=libdir"])?;
    if !Path::new(&dir).join("libpcap.a").is_file() {
        return Err(format!("no libpcap.a in {dir}"));
    }
    Ok(dir)
}
